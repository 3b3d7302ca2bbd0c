// The staff queue's URL search parameters, parsed on the server.
import { z } from "zod";
import { optionalWholeNumberField } from "~/lib/number-input";
import { QUEUE_FLAG_FILTERS, QUEUE_SORTS, QUEUE_VIEWS } from "./claim-queue";

const optionalCount = optionalWholeNumberField("review.errors.number").pipe(z.number().min(0, "review.errors.number").max(1e12, "review.errors.number").optional());

/** The queue's URL search parameters; anything unknown falls back to the default. */
export const queueQuerySchema = z.object({
  view: z.enum(QUEUE_VIEWS).catch("pending"),
  sort: z.enum(QUEUE_SORTS).catch("oldest"),
  flags: z.enum(QUEUE_FLAG_FILTERS).catch("any"),
  minTokens: optionalCount,
  maxTokens: optionalCount,
  minAgeDays: optionalCount,
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type QueueQuery = z.infer<typeof queueQuerySchema>;
