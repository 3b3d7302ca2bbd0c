// A reason to refuse the whole upload, found deep inside a stream stage (a corrupt archive, the
// size cap, a NUL byte). It is thrown through the chain of async iterables and turned back into
// a reason value by the verifier at the top: no caller outside this module ever sees it.
import type { EvidenceKind } from "./types";

export class UploadRefusal extends Error {
  constructor(
    readonly code: string,
    readonly params?: Record<string, string | number>,
    /** Set when the refusal itself says what the file is (e.g. not an OpenAI export at all). */
    readonly kind?: EvidenceKind,
  ) {
    super(code);
    this.name = "UploadRefusal";
  }
}
