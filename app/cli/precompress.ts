// `npm run build` ends here: brotli and gzip copies of public/'s text files (served as they are).
import { precompressDirectory } from "~/lib/precompress.server";

const report = precompressDirectory(process.argv[2] ?? "public");
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
console.log(
  `precompressed public/: ${report.written} copies written, ${report.upToDate} up to date, ${report.removed} stale removed; ` +
    `${kib(report.bytes.identity)} → brotli ${kib(report.bytes.br)}, gzip ${kib(report.bytes.gzip)}`,
);
