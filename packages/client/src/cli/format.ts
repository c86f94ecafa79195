import {
  type Balance,
  type CallResult,
  type CallView,
  LOW_BALANCE_SECONDS,
  type TranscriptEntry,
} from "@clawcall/contract";
import type { ClawCallError } from "../sdk/errors.ts";

/** What to tell the user about a failed call, and what to do next (the skill's table). */
const FAILURES: Record<string, { headline: string; next: string }> = {
  no_answer: { headline: "No one picked up.", next: "Offer to try again, or ask if there's a better time." },
  busy: { headline: "The line was busy.", next: "Offer to retry in a moment." },
  call_rejected: {
    headline: "The call was declined.",
    next: "They may screen unknown numbers: suggest the user calls directly, or try bridge mode.",
  },
  invalid_number: {
    headline: "That number doesn't seem to be valid.",
    next: "Ask the user to double-check it. Don't retry.",
  },
  unreachable: {
    headline: "That number appears to be out of service.",
    next: "Ask the user to verify the number. Don't retry.",
  },
  dial_failed: {
    headline: "The call could not be placed.",
    next: "It was retried once already; tell the user.",
  },
  network_error: {
    headline: "The connection dropped during the call.",
    next: "It was retried once already; tell the user.",
  },
  cancelled: { headline: "The call was cancelled before anyone answered.", next: "" },
};

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const rest = s % 60;
  return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
}

const ROLE_LABEL: Record<TranscriptEntry["role"], string> = {
  assistant: "Agent",
  user: "Them",
  tool: "Action",
  system: "Event",
};

export function formatTranscriptLine(entry: TranscriptEntry): string {
  const label = ROLE_LABEL[entry.role];
  if (entry.role === "tool") {
    const args =
      entry.toolArgs && Object.keys(entry.toolArgs).length > 0 ? ` ${JSON.stringify(entry.toolArgs)}` : "";
    return `${label}: ${entry.tool ?? "tool"}${args}${entry.text ? ` ${entry.text}` : ""}`;
  }
  return `${label}: ${entry.text}`;
}

export function lowBalanceNote(balanceSeconds: number | null | undefined): string | null {
  if (balanceSeconds === null || balanceSeconds === undefined || balanceSeconds >= LOW_BALANCE_SECONDS)
    return null;
  return `You're running low on call minutes (${formatDuration(balanceSeconds)} left).`;
}

/** The one-line lead of a call's report: outcome first, then the number called. */
export function callHeadline(call: CallView): string {
  if (call.outcome === "system_error") {
    const why = call.outcome_detail?.reason.message ?? "the service failed during the call";
    return `Call to ${call.to} ended by a service problem: ${why}`;
  }
  if (call.status === "completed") {
    const talk = call.talk_seconds !== null ? ` (talk time ${formatDuration(call.talk_seconds)})` : "";
    return `Completed: called ${call.to}${talk}.`;
  }
  if (call.status === "failed") {
    const failure = FAILURES[call.failReason ?? ""];
    const label = (call.failReason ?? "failed").replace(/_/g, " ");
    return `${label[0]?.toUpperCase()}${label.slice(1)}: called ${call.to}. ${failure?.headline ?? "The call failed."}`;
  }
  return `In progress: ${call.to} is ${call.status.replace("_", " ")}.`;
}

export interface ReportExtras {
  retried?: readonly CallView[];
  balanceSeconds?: number | null;
  /** Omit the transcript (already shown live). */
  skipTranscript?: boolean;
}

export function formatCallReport(call: CallView, extras: ReportExtras = {}): string {
  const result = call.result ?? null;
  // What came of the call leads; the call's own status follows it.
  const lines = result ? [result.summary, callHeadline(call)] : [callHeadline(call)];
  const next =
    call.status === "failed" && call.outcome !== "system_error" ? FAILURES[call.failReason ?? ""]?.next : "";
  if (next) lines.push(`Next: ${next}`);
  if (result) lines.push(...resultDetails(result, !next));
  else if (call.result_unavailable) lines.push(`Result: none (${call.result_unavailable}).`);
  for (const earlier of extras.retried ?? []) {
    lines.push(
      `(An earlier attempt, ${earlier.call_id}, ended with ${earlier.failReason}; it was retried once.)`,
    );
  }
  lines.push(`Call id: ${call.call_id}`);
  if (!extras.skipTranscript) {
    if (call.transcript && call.transcript.length > 0) {
      lines.push("Transcript:");
      for (const entry of call.transcript) lines.push(`  ${formatTranscriptLine(entry)}`);
    } else if (call.status === "completed") {
      lines.push(
        call.transcript === null
          ? "Transcript: no longer kept (transcripts live one hour)."
          : "Transcript: empty.",
      );
    }
  }
  const recording = call.recordingUrl ?? call.recording_url;
  if (recording) lines.push(`Recording (expires about 10 minutes after the call): ${recording}`);
  const note = lowBalanceNote(extras.balanceSeconds ?? call._meta.balance_seconds);
  if (note) lines.push(`Note: ${note}`);
  return lines.join("\n");
}

/** The result's facts (with the transcript lines they cite), what is missing, and what to do next. */
function resultDetails(result: CallResult, withNextSteps: boolean): string[] {
  const lines: string[] = [];
  const list = (title: string, items: string[]) => {
    if (items.length > 0) lines.push(title, ...items.map((i) => `  - ${i}`));
  };
  list(
    "Learned:",
    result.facts.map((f) => `${f.text} (transcript line ${f.turns.map((t) => t + 1).join(", ")})`),
  );
  list("Missing (ask the user before calling back):", result.missing_info);
  if (withNextSteps) list("Next steps:", result.next_steps);
  return lines;
}

export function formatCallRow(call: CallView): string {
  const when = call.timestamps.queued_at.replace("T", " ").slice(0, 16);
  const talk = call.talk_seconds !== null ? formatDuration(call.talk_seconds) : "-";
  return `${call.call_id}  ${when}  ${call.to}  ${rowState(call).padEnd(24)}  ${talk}`;
}

/** Status and outcome in one word pair, so a call the service failed never reads as a plain completion. */
function rowState(call: CallView): string {
  if (call.outcome === "system_error") return `${call.status}/service error`;
  if (call.status === "failed") return `failed/${call.failReason ?? call.outcome ?? "?"}`;
  return call.outcome ? `${call.status}/${call.outcome}` : call.status;
}

export function formatBalance(balance: Balance): string {
  const lines = [`Balance: ${formatDuration(balance.balance_seconds)} of call time (${balance.tier} tier).`];
  const note = balance.low_balance
    ? lowBalanceNote(Math.min(balance.balance_seconds, LOW_BALANCE_SECONDS - 1))
    : null;
  if (note) lines.push(`Note: ${note}`);
  return lines.join("\n");
}

/** An error as the user should read it; action URLs verbatim, since they are personal links. */
export function formatError(error: ClawCallError): string {
  const lines = [`Error (${error.code}): ${error.message}`];
  if (error.code === "quota_exceeded" && error.action) {
    lines.push(`No account yet? Sign up: ${error.action.url}`);
    if (error.action.sign_in_url) lines.push(`Already have one? Sign in: ${error.action.sign_in_url}`);
    lines.push("After signing up or in, the same key works: run the call again.");
  } else if (error.action) {
    lines.push(`${error.code === "balance_depleted" ? "Buy more time" : "Next step"}: ${error.action.url}`);
  }
  if (error.quota) {
    lines.push(
      `Used ${formatDuration(error.quota.used_seconds)} of ${formatDuration(error.quota.limit_seconds)}.`,
    );
  }
  if (error.retryAfterSeconds !== null) lines.push(`Try again in ${error.retryAfterSeconds} s.`);
  return lines.join("\n");
}
