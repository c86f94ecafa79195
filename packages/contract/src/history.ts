import { z } from "zod";
import { CallViewSchema } from "./call.ts";

export const HISTORY_LIMIT_MAX = 200;
export const HISTORY_LIMIT_DEFAULT = 25;

/**
 * GET /me/calls (the later revision's history). `since` keeps calls finalized at or after that instant,
 * so a client that remembers the last finalization it saw never misses one; calls still running have no
 * finalization time and are left out when `since` is given.
 */
export const HistoryQuerySchema = z.object({
  direction: z.enum(["outbound", "inbound"]).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_LIMIT_MAX).default(HISTORY_LIMIT_DEFAULT),
});
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

export const HistoryCallSchema = CallViewSchema.extend({
  /** As on History: left out for a client that shows the list whole to a model. */
  api_key: z.string().optional(),
  /** When the recording link stops working; null when the call has no recording. */
  recording_available_until: z.string().nullable(),
  /** The call had a recording and its window has passed. */
  recording_expired: z.boolean(),
});
export type HistoryCall = z.infer<typeof HistoryCallSchema>;

export const HistorySchema = z.object({
  calls: z.array(HistoryCallSchema),
  /** How long a recording stays reachable after the call (the seed's ten minutes by default). */
  recordingWindowMinutes: z.number(),
  /** More calls match than `limit` returned. */
  has_more: z.boolean(),
  /**
   * The request's key, as the seed promises in every response; left out for the later revision's MCP
   * client, which shows this list whole to a model (see the server's api/key-echo.ts).
   */
  api_key: z.string().optional(),
});
export type History = z.infer<typeof HistorySchema>;
