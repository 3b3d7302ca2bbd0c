// Small async-iterable tools the upload stages are built from: look at the first bytes without
// losing them, and cap a stream's size.
import { UploadRefusal } from "./refusal";

/** Reads chunks until at least `size` bytes (or the end) and hands them back with the rest. */
export async function readHead(
  iterator: AsyncIterator<Uint8Array>,
  size: number,
): Promise<{ head: Buffer; done: boolean; rest: AsyncIterable<Uint8Array> }> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  return { head, done, rest: withHead(head, iterator, done) };
}

async function* withHead(head: Buffer, iterator: AsyncIterator<Uint8Array>, done: boolean): AsyncGenerator<Uint8Array> {
  try {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** Passes chunks through, refusing with `code` at the first byte over `maxBytes`. */
export async function* capBytes(source: AsyncIterable<Uint8Array>, maxBytes: number, code: string): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new UploadRefusal(code, limitParams(maxBytes));
    yield chunk;
  }
}

export function limitParams(maxBytes: number) {
  return { limitMb: Math.round((maxBytes / 1024 / 1024) * 10) / 10 };
}
