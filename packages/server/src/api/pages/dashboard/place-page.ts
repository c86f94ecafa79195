import { checkCallRequest, ERROR_STATUS, VOICES } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import type { ApiKeyRecord } from "../../../billing/keys.ts";
import { clientGroup } from "../../client-address.ts";
import type { ApiContext } from "../../context.ts";
import { esc, readForm } from "../../html.ts";
import { placedByOf } from "../../routes/place-call.ts";
import { withPreferences } from "../../routes/preferences.ts";
import { dashboardPage, seeOther, sendDashboard } from "./layout.ts";
import { csrfMatches, requireVisitor, type Visitor } from "./session.ts";

const TITLE = "Place a call";
const FIELDS = ["to", "task", "personality", "greeting", "voice", "bridge_number"] as const;
type Field = (typeof FIELDS)[number];
type Values = Partial<Record<Field, string>>;

/** The sandbox's lines (any area code, 555-01XX), as its guide describes them. */
const MAGIC_NUMBERS: [string, string][] = [
  ["0100", "a front-desk receptionist: completed"],
  ["0101", "busy: failed / busy"],
  ["0102", "rings, nobody answers: failed / no_answer"],
  ["0103", "the callee declines: failed / call_rejected"],
  ["0104", "the number does not exist: failed / invalid_number"],
  ["0105", "out of service: failed / unreachable"],
  ["0106", "the carrier refuses the dial: refused with dial_failed"],
  ["0107", "answers, then the line drops: failed / network_error"],
  ["0108", "voicemail greeting, then a beep"],
  ["0109", "phone menu, then a person"],
  ["0110", "hold queue, then a person"],
  ["0111", "a receptionist who asks for a date of birth"],
  ["0112", "a person to hand the call to (as bridge number)"],
  ["0113", "a call screener, then a person"],
  ["0114", "a person who interrupts once"],
  ["0115", "answers and stays silent"],
  ["0116", "hangs up as soon as the agent talks"],
  ["0117", "a bridge number nobody answers"],
];

/** What the page says on the sandbox: a note above the form, and the magic numbers below it. */
function sandboxParts(): { note: string; numbers: string } {
  const rows = MAGIC_NUMBERS.map(
    ([line, what]) =>
      `<tr><td><a href="/dashboard/place?to=%2B1212555${line}">+1212555${line}</a></td><td>${esc(what)}</td></tr>`,
  );
  return {
    note: `<p class="note"><strong>This service runs on the sandbox.</strong> Calls reach a simulated phone
network, not real phones: any area code with the line 555-01XX reaches a scripted callee (see the magic
numbers below the form); other numbers reach a person who answers briefly.</p>`,
    numbers: `<h2 id="magic-numbers">The sandbox's magic numbers</h2>
<table aria-labelledby="magic-numbers"><thead><tr><th scope="col">Number (choose to fill the form)</th><th scope="col">What happens</th></tr></thead>
<tbody>${rows.join("")}</tbody></table>`,
  };
}

function placeForm(visitor: Visitor, values: Values, error?: { message: string; field?: string }): string {
  // A field is described by its hint, and by the error when the error is about it.
  const described = (f: Field, hint: boolean) => {
    const ids = [...(hint ? [`h-${f}`] : []), ...(error?.field === f ? ["form-error"] : [])];
    const invalid = error?.field === f ? ` aria-invalid="true"` : "";
    return ids.length ? `${invalid} aria-describedby="${ids.join(" ")}"` : invalid;
  };
  const input = (f: Field, label: string, hint: string, extra = "") =>
    `<label for="f-${f}">${label}</label><input id="f-${f}" name="${f}" value="${esc(values[f] ?? "")}"${extra}${described(f, hint !== "")}>
${hint ? `<p class="muted" id="h-${f}">${hint}</p>` : ""}`;
  const voices = ["", ...VOICES]
    .map(
      (v) =>
        `<option value="${v}"${(values.voice ?? "") === v ? " selected" : ""}>${v || "Default (jessica, or your preference)"}</option>`,
    )
    .join("");
  return `${error ? `<p class="error" role="alert" id="form-error">${esc(error.message)}</p>` : ""}
<form method="post" action="/dashboard/place">
<input type="hidden" name="csrf" value="${esc(visitor.csrf)}">
${input("to", "Number to call", "+1 then 10 digits, e.g. +12125550100.", ` inputmode="tel" required autocomplete="off"`)}
<label for="f-task">Task</label><textarea id="f-task" name="task" required${described("task", true)}>${esc(values.task ?? "")}</textarea>
<p class="muted" id="h-task">Everything the agent needs to know: who you are, what to ask, what to do if they cannot help.</p>
${input("personality", "Personality (optional)", "")}
${input("greeting", "Greeting (optional)", "")}
<label for="f-voice">Voice</label><select id="f-voice" name="voice"${described("voice", false)}>${voices}</select>
${input("bridge_number", "Bridge number (optional)", "Your own number, to be joined to the call when the agent hands it over.", ` inputmode="tel" autocomplete="off"`)}
<p><button type="submit">Place the call</button></p>
</form>`;
}

/**
 * The key the dashboard places calls with: the account's newest live key that no OAuth grant holds, or a
 * new one for the account. A grant's key acts for an MCP client and dies with its grant.
 */
async function placingKey(ctx: ApiContext, accountId: string): Promise<ApiKeyRecord> {
  const grants = await ctx.oauth.grantKeyIds(accountId);
  for (const k of await ctx.billing.keys.ofAccount(accountId)) {
    if (k.revoked_at !== null || grants.has(k.id)) continue;
    const record = await ctx.billing.keys.byId(k.id);
    if (record) return record;
  }
  // No allowance comes with it: it spends the account's time, like every key of the account.
  return (await ctx.billing.keys.mint(new Date(), accountId)).record;
}

/** GET and POST /dashboard/place: the API's POST /call as a form, with the API's checks and words. */
export function registerPlacePage(app: FastifyInstance, ctx: ApiContext): void {
  const sandbox = ctx.config.carrier.kind === "sandbox" ? sandboxParts() : null;
  const show = (visitor: Visitor, values: Values, error?: { message: string; field?: string }) =>
    dashboardPage(
      TITLE,
      sandbox
        ? sandbox.note + placeForm(visitor, values, error) + sandbox.numbers
        : placeForm(visitor, values, error),
      visitor,
      "/dashboard/place",
    );

  app.get<{ Querystring: { to?: string } }>("/dashboard/place", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const to = typeof req.query.to === "string" ? req.query.to.slice(0, 20) : "";
    return sendDashboard(reply, 200, show(visitor, { to }));
  });

  app.post("/dashboard/place", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const f = readForm(req);
    const values: Values = {};
    for (const field of FIELDS) values[field] = f.get(field) ?? "";
    if (!csrfMatches(ctx, visitor.sessionId, f.get("csrf"))) {
      const error = { message: "This form has expired. Please submit it again." };
      return sendDashboard(reply, 403, show(visitor, values, error));
    }
    // Empty optional fields are "not given", as null is in the API.
    const body = Object.fromEntries(
      Object.entries(values).filter(([name, v]) => v !== "" || name === "to" || name === "task"),
    );
    const poolNumber = (n: string) =>
      ctx.calls.ownsNumber(n) ? "it is one of this service's own caller numbers" : null;
    const check = checkCallRequest(body, poolNumber);
    if (!check.ok) {
      const error = { message: `${check.message} (${check.code})`, field: check.field };
      return sendDashboard(reply, 400, show(visitor, values, error));
    }
    const record = await placingKey(ctx, visitor.account.id);
    const placed = await ctx.calls.place(record, await withPreferences(ctx, { record }, check.value), {
      placedBy: placedByOf(ctx, clientGroup(req.ip)),
    });
    if (!placed.ok) {
      const message =
        placed.code === "balance_depleted" || placed.code === "quota_exceeded"
          ? "Your account has no call time left. Buy call time on the Usage page, then place the call again."
          : placed.message;
      const status = ERROR_STATUS[placed.code];
      return sendDashboard(reply, status, show(visitor, values, { message: `${message} (${placed.code})` }));
    }
    return seeOther(reply, `/dashboard/calls/${encodeURIComponent(placed.call.id)}`);
  });
}
