import { isNanpNumber, OUTCOMES, type Outcome } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import type { CallFilter } from "../../../calls/call-store.ts";
import { isTerminal, statusOf } from "../../../calls/states.ts";
import type { CallTable } from "../../../store/schema.ts";
import type { ApiContext } from "../../context.ts";
import { esc } from "../../html.ts";
import { dashboardPage, sendDashboard, utc } from "./layout.ts";
import { requireVisitor } from "./session.ts";

const PAGE_SIZE = 20;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

type ListQuery = { outcome?: string; number?: string; from?: string; to?: string; before?: string };

/** The call if it was placed with any key of the account; null otherwise, as for an unknown id. */
export async function accountCall(
  ctx: ApiContext,
  accountId: string,
  callId: string,
): Promise<CallTable | null> {
  const row = callId.length <= 100 ? await ctx.calls.get(callId) : undefined;
  if (!row) return null;
  const key = await ctx.billing.keys.byId(row.key_id);
  return key?.account_id === accountId ? row : null;
}

/** What the list says of a call: its outcome once final, its status while it runs. */
export const callState = (row: CallTable) =>
  isTerminal(row.state) ? (row.outcome ?? statusOf(row.state, row.fail_reason)) : statusOf(row.state, null);

const validDay = (v: string) => DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

/** Reads the filters, or says which one is wrong in words a person can act on. */
function filterOf(q: ListQuery): { filter: CallFilter } | { error: string } {
  const filter: CallFilter = {};
  const outcome = q.outcome?.trim() ?? "";
  if (outcome) {
    if (outcome !== "running" && !(OUTCOMES as readonly string[]).includes(outcome))
      return { error: "Choose an outcome from the list." };
    filter.outcome = outcome as Outcome | "running";
  }
  const number = q.number?.trim() ?? "";
  if (number) {
    if (!isNanpNumber(number)) return { error: "Enter the number as +1 then 10 digits, e.g. +12125550100." };
    filter.number = number;
  }
  for (const [field, name] of [
    ["from", "fromDay"],
    ["to", "toDay"],
  ] as const) {
    const v = q[field]?.trim() ?? "";
    if (!v) continue;
    if (!validDay(v)) return { error: "Enter dates as YYYY-MM-DD." };
    filter[name] = v;
  }
  return { filter };
}

function filterForm(q: ListQuery): string {
  const options = ["", "running", ...OUTCOMES]
    .map(
      (o) =>
        `<option value="${o}"${(q.outcome ?? "") === o ? " selected" : ""}>${o === "" ? "Any" : o.replace("_", " ")}</option>`,
    )
    .join("");
  return `<form method="get" action="/dashboard/calls" class="filters" aria-label="Filter calls">
<div><label for="f-outcome">Outcome</label><select id="f-outcome" name="outcome">${options}</select></div>
<div><label for="f-number">Number called</label><input id="f-number" name="number" inputmode="tel" placeholder="+12125550100" value="${esc(q.number ?? "")}"></div>
<div><label for="f-from">From (UTC day)</label><input id="f-from" name="from" type="date" value="${esc(q.from ?? "")}"></div>
<div><label for="f-to">To (UTC day)</label><input id="f-to" name="to" type="date" value="${esc(q.to ?? "")}"></div>
<div><button type="submit">Filter</button></div>
</form>`;
}

function callRows(rows: CallTable[]): string {
  if (rows.length === 0) return `<p>No calls match. <a href="/dashboard/place">Place a call</a>.</p>`;
  const body = rows
    .map(
      (r) => `<tr><td><a href="/dashboard/calls/${encodeURIComponent(r.id)}">${esc(utc(r.queued_at))}</a></td>
<td>${esc(r.to_number)}</td><td>${esc(callState(r))}</td><td>${r.talk_seconds ?? "—"}</td><td>${esc(r.task.slice(0, 80))}</td></tr>`,
    )
    .join("\n");
  return `<table><caption class="muted">Newest first</caption>
<thead><tr><th scope="col">Placed</th><th scope="col">To</th><th scope="col">Outcome</th><th scope="col">Talk seconds</th><th scope="col">Task</th></tr></thead>
<tbody>${body}</tbody></table>`;
}

/** GET /dashboard/calls: the account's calls, newest first, filtered and a page at a time. */
export function registerCallsPages(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: ListQuery }>("/dashboard/calls", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const q = req.query;
    const parsed = filterOf(q);
    const show = (status: number, content: string) =>
      sendDashboard(
        reply,
        status,
        dashboardPage("Calls", filterForm(q) + content, visitor, "/dashboard/calls"),
      );
    if ("error" in parsed) return show(400, `<p class="error" role="alert">${esc(parsed.error)}</p>`);
    const before = q.before ? await accountCall(ctx, visitor.account.id, q.before) : null;
    if (q.before && !before)
      return show(400, `<p class="error" role="alert">That page of calls is gone.</p>`);
    const rows = await ctx.calls.store.search(
      { accountId: visitor.account.id },
      parsed.filter,
      before,
      PAGE_SIZE + 1,
    );
    const page = rows.slice(0, PAGE_SIZE);
    let more = "";
    if (rows.length > PAGE_SIZE) {
      const params = new URLSearchParams(
        Object.entries({ ...q, before: page.at(-1)?.id ?? "" }).filter(([, v]) => v) as [string, string][],
      );
      more = `<p><a href="/dashboard/calls?${esc(params.toString())}">Older calls</a></p>`;
    }
    return show(200, callRows(page) + more);
  });
}
