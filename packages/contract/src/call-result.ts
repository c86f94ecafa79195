import { z } from "zod";

/**
 * What came of a call, judged after it ended: whether the task got done, in one sentence an assistant can
 * relay, with the facts learned (each citing the transcript turns it rests on), what the other side asked
 * for that the task did not contain, and what to do next. An extension: a client that ignores it loses
 * nothing, the transcript still says everything.
 */
export const RESULT_STATUSES = ["achieved", "partial", "not_achieved", "needs_info", "not_reached"] as const;
export const ResultStatusSchema = z.enum(RESULT_STATUSES);
export type ResultStatus = z.infer<typeof ResultStatusSchema>;

/** Transcript lines a result may cite at most per fact, and facts, missing items and steps at most. */
export const RESULT_LIMITS = { turnsPerFact: 10, items: 20, textChars: 500 } as const;

const text = z.string().trim().min(1).max(RESULT_LIMITS.textChars);

export const CallResultFactSchema = z.object({
  text: text.describe("One thing learned on the call, in plain words."),
  turns: z
    .array(z.number().int().nonnegative())
    .min(1)
    .max(RESULT_LIMITS.turnsPerFact)
    .describe("Indices into the call's transcript of the lines that say it."),
});
export type CallResultFact = z.infer<typeof CallResultFactSchema>;

export const CallResultSchema = z.object({
  status: ResultStatusSchema.describe(
    "achieved: the task got done; partial: some of it; not_achieved: it did not; needs_info: the other side needs something the task did not contain; not_reached: nobody who could help was reached.",
  ),
  summary: text.describe("One sentence that leads with the outcome and names the number called."),
  facts: z.array(CallResultFactSchema).max(RESULT_LIMITS.items),
  missing_info: z
    .array(text)
    .max(RESULT_LIMITS.items)
    .describe(
      "What the other side asked for that the task did not contain: ask the user before calling back.",
    ),
  next_steps: z.array(text).max(RESULT_LIMITS.items),
});
export type CallResult = z.infer<typeof CallResultSchema>;
