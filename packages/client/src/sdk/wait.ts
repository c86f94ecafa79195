import {
  type CallCreated,
  type CallRequest,
  type CallStatus,
  type CallView,
  type FailReason,
  type Lifecycle,
  type Outcome,
  TERMINAL_STATUSES,
  type TranscriptEntry,
} from "@clawcall/contract";
import type { ClawCall } from "./client.ts";
import { ClawCallError } from "./errors.ts";
import { decideCallRetry } from "./retry-policy.ts";

export interface StatusChange {
  status: CallStatus;
  lifecycle: Lifecycle;
  failReason?: FailReason | undefined;
  outcome?: Outcome | undefined;
}

export interface WaitOptions {
  /** "poll" (GET every intervalMs) or "events" (the SSE stream, falling back to polling if it breaks). */
  follow?: "poll" | "events";
  /** Polling interval; defaults to the client's (3 s). */
  intervalMs?: number;
  signal?: AbortSignal;
  onStatus?: (change: StatusChange) => void;
  /** Each transcript line once, in order, as it is spoken. */
  onTranscript?: (entry: TranscriptEntry) => void;
  /** Consecutive transient failures (network, timeouts, 5xx) tolerated while polling; default 5. */
  maxConsecutiveErrors?: number;
}

export interface CallAndWaitOptions extends WaitOptions {
  onPlaced?: (created: CallCreated, attempt: number) => void;
  /** Told when a call that failed with dial_failed/network_error is about to be placed again. */
  onRetry?: (failed: CallView) => void;
}

export interface CallAndWaitResult {
  call: CallView;
  created: CallCreated;
  /** Earlier attempts that failed transiently and were retried silently. */
  retried: CallView[];
}

const entryKey = (e: TranscriptEntry) => `${e.timestamp}\u0000${e.role}\u0000${e.text}`;

class Tracker {
  private lastStatus: string | null = null;
  private readonly seen = new Set<string>();
  constructor(private readonly options: WaitOptions) {}

  status(change: StatusChange): void {
    const key = `${change.status}/${change.lifecycle}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.options.onStatus?.(change);
  }

  transcript(entries: readonly TranscriptEntry[] | null): void {
    for (const entry of entries ?? []) this.line(entry);
  }

  line(entry: TranscriptEntry): void {
    const key = entryKey(entry);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.options.onTranscript?.(entry);
  }

  view(view: CallView): void {
    this.status(view);
    this.transcript(view.transcript);
  }
}

const isTransient = (e: unknown) =>
  e instanceof ClawCallError && (e.status === null || e.status >= 500) && e.code !== "no_api_key";

export async function waitForCall(
  client: ClawCall,
  callId: string,
  options: WaitOptions = {},
): Promise<CallView> {
  const tracker = new Tracker(options);
  const ctx = options.signal ? { signal: options.signal } : {};
  if (options.follow === "events") {
    const first = await client.getCall(callId, ctx);
    tracker.view(first);
    if (TERMINAL_STATUSES.has(first.status)) return awaitRecording(client, first, options);
    try {
      for await (const event of client.events(callId, ctx)) {
        if (event.type === "transcript") tracker.line(event.entry);
        // The result comes with the final view read below.
        else if (event.type === "status") {
          tracker.status(event);
          if (TERMINAL_STATUSES.has(event.status)) break;
        }
      }
    } catch (e) {
      if (options.signal?.aborted) throw e;
      // The stream broke (proxy, restart, an older server without it): polling still gets the result.
    }
  }
  return poll(client, callId, tracker, options);
}

async function poll(
  client: ClawCall,
  callId: string,
  tracker: Tracker,
  options: WaitOptions,
): Promise<CallView> {
  const ctx = options.signal ? { signal: options.signal } : {};
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  let errors = 0;
  for (;;) {
    try {
      const view = await client.getCall(callId, ctx);
      errors = 0;
      tracker.view(view);
      if (TERMINAL_STATUSES.has(view.status)) return awaitRecording(client, view, options);
    } catch (e) {
      if (!isTransient(e) || ++errors > maxErrors) throw e;
    }
    await client.sleep(options.intervalMs ?? client.pollIntervalMs, options.signal);
  }
}

/** The carrier saves a recording seconds after the hang-up; the result is worth that short wait. */
const RECORDING_WAIT_MS = 20_000;
const RECORDING_POLL_MS = 2_000;

async function awaitRecording(client: ClawCall, final: CallView, options: WaitOptions): Promise<CallView> {
  let view = final;
  const ctx = options.signal ? { signal: options.signal } : {};
  for (let waited = 0; view._meta.recording_pending === true && waited < RECORDING_WAIT_MS; ) {
    await client.sleep(RECORDING_POLL_MS, options.signal);
    waited += RECORDING_POLL_MS;
    try {
      view = await client.getCall(final.call_id, ctx);
    } catch (e) {
      // The call's result is already known; a failed look for its recording does not undo that.
      if (options.signal?.aborted) throw e;
      return view;
    }
  }
  return view;
}

export async function callAndWait(
  client: ClawCall,
  request: CallRequest,
  options: CallAndWaitOptions = {},
): Promise<CallAndWaitResult> {
  const retried: CallView[] = [];
  for (let attempt = 1; ; attempt++) {
    const created = await client.placeCall(request, options.signal ? { signal: options.signal } : {});
    options.onPlaced?.(created, attempt);
    const call = await client.waitForCall(created.call_id, options);
    const decision = decideCallRetry(call, retried.length, client.retryDelays);
    if (!decision.retry) return { call, created, retried };
    retried.push(call);
    options.onRetry?.(call);
    await client.sleep(decision.delayMs, options.signal);
  }
}
