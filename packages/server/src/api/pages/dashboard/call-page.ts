import type { CallResult, OutcomeDetail, TranscriptEntry } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import type { CallReport } from "../../../calls/call-result.ts";
import { RECORDING_PENDING_MS } from "../../../calls/call-view.ts";
import { isTerminal, statusOf } from "../../../calls/states.ts";
import type { LatencySummary } from "../../../observability/latency.ts";
import type { CallTable } from "../../../store/schema.ts";
import { clientGroup } from "../../client-address.ts";
import type { ApiContext } from "../../context.ts";
import { esc } from "../../html.ts";
import { OpenStreams, streamCallEvents } from "../../routes/call-events.ts";
import { securityHeaders } from "../../security-headers.ts";
import { accountCall, callState } from "./calls-pages.ts";
import { dashboardPage, sendDashboard, utc } from "./layout.ts";
import { requireVisitor, visitorOf } from "./session.ts";

const ROLE_NAMES: Record<TranscriptEntry["role"], string> = {
  assistant: "Agent",
  user: "Callee",
  tool: "Action",
  system: "Event",
};

/** One transcript line, the way the page's script draws the lines that arrive later (keep the two alike). */
export function transcriptLine(entry: TranscriptEntry, index: number): string {
  const tool = entry.tool ? `${esc(entry.tool)}: ` : "";
  return `<li id="line-${index}" class="${esc(entry.role)}"><span class="role">${ROLE_NAMES[entry.role]}</span>${tool}${esc(entry.text)}</li>`;
}

const row = (name: string, value: string) => `<dt>${esc(name)}</dt><dd>${value}</dd>`;
const list = (items: string[]) =>
  items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>` : "<p>None.</p>";

function resultSection(result: CallResult): string {
  const facts = result.facts.map(
    (f) =>
      `<li>${esc(f.text)} <span class="muted">(${f.turns
        .map((t) => `<a href="#line-${t}">line ${t + 1}</a>`)
        .join(", ")})</span></li>`,
  );
  return `<dl class="facts">${row("Result", esc(result.status.replace("_", " ")))}${row("Summary", esc(result.summary))}</dl>
<h3>Facts learned</h3>${facts.length ? `<ul>${facts.join("")}</ul>` : "<p>None.</p>"}
<h3>Missing information</h3>${list(result.missing_info)}
<h3>Next steps</h3>${list(result.next_steps)}`;
}

function outcomeSection(call: CallTable): string {
  if (!isTerminal(call.state)) return `<p>The outcome is shown when the call ends.</p>`;
  const detail = call.outcome_detail ? (JSON.parse(call.outcome_detail) as OutcomeDetail) : null;
  const report = call.result ? (JSON.parse(call.result) as CallReport) : null;
  const reason = detail ? `${esc(detail.reason.title)}: ${esc(detail.reason.message)}` : "—";
  return `<dl class="facts" id="outcome">${row("Outcome", `<strong>${esc(call.outcome ?? statusOf(call.state, call.fail_reason))}</strong>`)}
${row("Reason", reason)}${call.fail_reason ? row("Fail reason", esc(call.fail_reason)) : ""}
${row("Talk seconds", String(call.talk_seconds ?? 0))}</dl>
${report?.result ? resultSection(report.result) : `<p class="muted">${esc(report?.unavailable ?? "No result was kept for this call.")}</p>`}`;
}

function latencySection(call: CallTable): string {
  const meta = call.meta ? (JSON.parse(call.meta) as { latency?: LatencySummary }) : {};
  const l = meta.latency;
  if (!l) return `<p class="muted">No latency figures${isTerminal(call.state) ? "" : " yet"}.</p>`;
  const ms = (v: number | null) => (v === null ? "—" : `${v} ms`);
  return `<dl class="facts">${row("Agent turns", String(l.turns))}${row("Reply latency, median", ms(l.turn_p50_ms))}
${row("Reply latency, 95th percentile", ms(l.turn_p95_ms))}${row("Barge-ins", String(l.barge_ins))}
${row("Barge-in stop, median", ms(l.barge_in_p50_ms))}</dl>`;
}

/** The player while the recording's link lives, with the time left; the script removes it at expiry. */
function recordingSection(call: CallTable, now: number): string {
  if (!call.recording_url || !call.recording_expires_at) {
    // Carriers save the recording after the hang-up: the script looks again while it may still come.
    const ended = call.finalized_at ? Date.parse(call.finalized_at) : Number.NaN;
    if (isTerminal(call.state) && call.answered_at && now - ended < RECORDING_PENDING_MS)
      return `<p data-recording-pending>The recording is being saved: refresh the page in a few seconds.</p>`;
    return `<p class="muted">${isTerminal(call.state) ? "This call has no recording." : "The recording is available once the call ends."}</p>`;
  }
  const left = Date.parse(call.recording_expires_at) - now;
  if (left <= 0) return `<p>The recording has expired and was deleted.</p>`;
  return `<div id="recording" data-expires-at="${esc(call.recording_expires_at)}">
<audio controls preload="metadata" src="${esc(call.recording_url)}" aria-label="Recording of the call"></audio>
<p>Available until ${esc(utc(call.recording_expires_at))}: <span data-time-left>${Math.ceil(left / 60_000)} min left</span>.</p></div>`;
}

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** GET /dashboard/calls/:id and its event stream, for the signed-in account's calls only. */
export function registerCallPage(app: FastifyInstance, ctx: ApiContext): void {
  const streams = new OpenStreams(ctx.config.limits.streamsPerKey);

  app.get<{ Params: { id: string } }>("/dashboard/calls/:id", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const call = await accountCall(ctx, visitor.account.id, req.params.id);
    if (!call) {
      return sendDashboard(
        reply,
        404,
        dashboardPage("Call not found", `<p>No call with this id was found for this account.</p>`, visitor),
      );
    }
    const live = !isTerminal(call.state);
    const transcript = await ctx.live.transcript(call.id);
    const id = encodeURIComponent(call.id);
    const lines = (transcript ?? []).map(transcriptLine).join("\n");
    const body = `<p>Status: <strong id="call-status" aria-live="polite">${esc(callState(call))}</strong>
${live ? `<a href="/dashboard/calls/${id}" class="muted" data-reload>Refresh</a>` : ""}</p>
<dl class="facts">${row("To", esc(call.to_number))}${row("From", esc(call.from_number ?? "—"))}
${row("Placed", esc(utc(call.queued_at)))}${row("Answered", esc(utc(call.answered_at)))}${row("Ended", esc(utc(call.finalized_at)))}
${row("Voice", esc(call.voice))}${row("Task", esc(call.task))}${call.personality ? row("Personality", esc(call.personality)) : ""}
${call.greeting ? row("Greeting", esc(call.greeting)) : ""}</dl>
<h2>Outcome</h2>${outcomeSection(call)}
<h2>Recording</h2>${recordingSection(call, Date.now())}
<h2>Transcript</h2>
${transcript === null && !live ? `<p class="muted">The transcript is no longer kept.</p>` : ""}
<ol class="transcript" id="transcript"${live ? ` data-events="/dashboard/calls/${id}/events"` : ""} aria-live="polite">${lines}</ol>
<h2>Latency</h2>${latencySection(call)}`;
    const media = call.recording_url ? originOf(call.recording_url) : undefined;
    return sendDashboard(reply, 200, dashboardPage(`Call to ${call.to_number}`, body, visitor), media);
  });

  // The API's event stream, authorised by the session: only the account's own calls.
  app.get<{ Params: { id: string } }>("/dashboard/calls/:id/events", async (req, reply) => {
    const visitor = await visitorOf(ctx, req);
    if (!visitor) return reply.status(401).header("cache-control", "no-store").send();
    const call = await accountCall(ctx, visitor.account.id, req.params.id);
    if (!call) return reply.status(404).header("cache-control", "no-store").send();
    const owner = `account:${visitor.account.id}`;
    if (!streams.open(owner)) {
      ctx.limitLog.trip("dashboard event streams per account", clientGroup(req.ip));
      return reply.status(429).header("retry-after", "5").send();
    }
    reply.raw.once("close", () => streams.close(owner));
    securityHeaders(reply);
    await streamCallEvents(ctx, call, req, reply);
  });
}
