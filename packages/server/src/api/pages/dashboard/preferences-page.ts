import { CallPreferencesInputSchema, VOICES } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import type { StoredPreferences } from "../../../billing/call-preferences.ts";
import type { ApiContext } from "../../context.ts";
import { esc, readForm } from "../../html.ts";
import { dashboardPage, sendDashboard } from "./layout.ts";
import { csrfMatches, requireVisitor, type Visitor } from "./session.ts";

const TITLE = "Call preferences";
const TEXT_FIELDS = [
  ["personality", "Personality", "Who the agent is, for calls that do not say."],
  ["greeting", "Greeting", "The opening line's intent, for calls that do not say."],
  ["warm_greeting", "Warm greeting", "What the agent says to you when a call is handed to you."],
] as const;

function form(visitor: Visitor, p: StoredPreferences, notice = ""): string {
  const voices = ["", ...VOICES]
    .map(
      (v) =>
        `<option value="${v}"${(p.voice ?? "") === v ? " selected" : ""}>${v || "No preference (jessica)"}</option>`,
    )
    .join("");
  const fields = TEXT_FIELDS.map(
    ([name, label, hint]) => `<label for="p-${name}">${label}</label>
<textarea id="p-${name}" name="${name}" aria-describedby="h-${name}">${esc(p[name] ?? "")}</textarea><p class="muted" id="h-${name}">${hint}</p>`,
  ).join("\n");
  return `${notice}<p>Defaults for this account's calls (every key shares them, as in <code>/me/call-preferences</code>);
what a call itself says always wins.</p>
<form method="post" action="/dashboard/preferences"><input type="hidden" name="csrf" value="${esc(visitor.csrf)}">
<label for="p-voice">Voice</label><select id="p-voice" name="voice">${voices}</select>
${fields}
<p><button type="submit">Save preferences</button></p></form>`;
}

/** The account's call preferences, the same store and checks as PUT /me/call-preferences. */
export function registerPreferencesPage(app: FastifyInstance, ctx: ApiContext): void {
  const show = (visitor: Visitor, p: StoredPreferences, notice?: string) =>
    dashboardPage(TITLE, form(visitor, p, notice), visitor, "/dashboard/preferences");

  app.get("/dashboard/preferences", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const p = await ctx.billing.preferences.get(`account:${visitor.account.id}`);
    return sendDashboard(reply, 200, show(visitor, p));
  });

  app.post("/dashboard/preferences", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const owner = `account:${visitor.account.id}`;
    const f = readForm(req);
    if (!csrfMatches(ctx, visitor.sessionId, f.get("csrf"))) {
      const notice = `<p class="error" role="alert">This form has expired. Please try again.</p>`;
      return sendDashboard(reply, 403, show(visitor, await ctx.billing.preferences.get(owner), notice));
    }
    const value = (name: string) => (f.get(name) ?? "").trim() || null;
    const input = {
      voice: value("voice"),
      personality: value("personality"),
      greeting: value("greeting"),
      warm_greeting: value("warm_greeting"),
    };
    const parsed = CallPreferencesInputSchema.safeParse(input);
    if (!parsed.success) {
      const notice = `<p class="error" role="alert">Voice is one of ${VOICES.join(", ")}; the texts are at most 2000 characters. (invalid_preferences)</p>`;
      const shown = { ...input, voice: null } as StoredPreferences;
      return sendDashboard(reply, 400, show(visitor, shown, notice));
    }
    const saved = await ctx.billing.preferences.put(owner, parsed.data, new Date());
    return sendDashboard(reply, 200, show(visitor, saved, `<p class="ok" role="status">Saved.</p>`));
  });
}
