// Compressed uploads: `.csv.gz` is inflated while it streams; a `.zip` needs random access (its
// directory is at the end), so the already size-capped upload is buffered and its single entry
// streamed out. What comes out is capped by the caller, so a compression bomb costs no memory.
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import yauzl from "yauzl";
import { limitParams } from "./byte-streams";
import { UploadRefusal } from "./refusal";

export type Container = "gzip" | "zip" | "plain";

/** By magic bytes, whatever the file is called. */
export function detectContainer(head: Uint8Array): Container {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  // Local file header, or the end-of-directory record alone (an empty archive).
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return "zip";
  return "plain";
}

export async function* gunzipChunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false });
  const inflate = createGunzip();
  input.on("error", (error) => inflate.destroy(error));
  input.pipe(inflate);
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof UploadRefusal) throw error;
    if ((error as NodeJS.ErrnoException).code?.startsWith("Z_")) throw new UploadRefusal("corrupt_archive", { format: "gzip" });
    throw error;
  } finally {
    input.destroy();
    inflate.destroy();
  }
}

/** Names an archiver adds beside the real file (macOS resource forks, Finder metadata). */
function isArchiverNoise(name: string): boolean {
  return name.endsWith("/") || name.startsWith("__MACOSX/") || /(^|\/)\.DS_Store$/.test(name);
}

/**
 * The one file inside a zip, streamed. `onEntry` learns its name (for the kind hint and the
 * summary). Several files, none, encryption, or a declared size over the cap are refused.
 */
export async function* unzipSingleEntry(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  onEntry: (name: string) => void,
): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.concat(chunks), { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch {
    throw new UploadRefusal("corrupt_archive", { format: "zip" });
  }
  try {
    const files: yauzl.Entry[] = [];
    try {
      for await (const entry of zip.eachEntry()) if (!isArchiverNoise(entry.fileName)) files.push(entry);
    } catch {
      throw new UploadRefusal("corrupt_archive", { format: "zip" });
    }
    if (files.length === 0) throw new UploadRefusal("archive_empty");
    if (files.length > 1) throw new UploadRefusal("archive_several_files", { count: files.length });
    const entry = files[0]!;
    if (entry.isEncrypted()) throw new UploadRefusal("archive_encrypted");
    if (entry.uncompressedSize > maxBytes) throw new UploadRefusal("too_large_uncompressed", limitParams(maxBytes));
    onEntry(entry.fileName);
    let stream: Readable;
    try {
      stream = await zip.openReadStreamPromise(entry);
    } catch {
      throw new UploadRefusal("corrupt_archive", { format: "zip" });
    }
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      if (error instanceof UploadRefusal) throw error;
      // yauzl's size check ("too many bytes in the stream") and inflate errors alike.
      throw new UploadRefusal("corrupt_archive", { format: "zip" });
    } finally {
      stream.destroy();
    }
  } finally {
    zip.close();
  }
}
