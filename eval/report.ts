import type { SandboxVerdict } from "@clawcall/contract";

/** One scenario's result, as the table and the JSON report show it. */
export interface EvalRow {
  id: string;
  line: string;
  jobDone: boolean;
  status: string;
  /** The agent's turns (replies it produced), from the call's latency summary. */
  turns: number | null;
  /** Requests to the model for this call (known for the scripted model only). */
  modelCalls: number | null;
  talkSeconds: number | null;
  turnP50Ms: number | null;
  turnP95Ms: number | null;
  bargeIns: number | null;
  verdict: SandboxVerdict | null;
  /** Set when the call could not be placed or did not finish. */
  error?: string;
}

export interface EvalReport {
  model: string;
  carrier: string;
  scenarios: number;
  jobsDone: number;
  score: number;
  rows: EvalRow[];
}

const cell = (v: number | string | null) =>
  v === null ? "-" : typeof v === "number" ? String(Math.round(v)) : v;

/** The rows as an aligned text table, with the total last. */
export function formatTable(report: EvalReport): string {
  const header = [
    "scenario",
    "line",
    "job done",
    "turns",
    "model calls",
    "talk s",
    "p50 ms",
    "p95 ms",
    "barge-ins",
    "callee",
  ];
  const body = report.rows.map((r) => [
    r.id,
    r.line,
    r.jobDone ? "yes" : "NO",
    cell(r.turns),
    cell(r.modelCalls),
    cell(r.talkSeconds),
    cell(r.turnP50Ms),
    cell(r.turnP95Ms),
    cell(r.bargeIns),
    r.error ?? summarize(r.verdict),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [
    line(header),
    ...body.map(line),
    "",
    `job done: ${report.jobsDone}/${report.scenarios} (${Math.round(report.score * 100)}%) with ${report.model} via ${report.carrier}`,
  ].join("\n");
}

/** What the callee did, in a few words: its actions, or why it did nothing. */
function summarize(verdict: SandboxVerdict | null): string {
  if (verdict === null) return "no verdict";
  if (verdict.actions.length === 0) return `nothing done: ${verdict.nothing_done}`;
  return verdict.actions
    .map((a) => {
      switch (a.action) {
        case "answered":
          return `answered ${a.topic}`;
        case "menu_choice":
          return `pressed ${a.digit}`;
        case "message":
          return a.complete ? "message" : "message cut off";
        case "needs_info":
          return `needs ${a.what}`;
        case "declined":
          return "declined";
        default:
          return a.action;
      }
    })
    .join(", ");
}
