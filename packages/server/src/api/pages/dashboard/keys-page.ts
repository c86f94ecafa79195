import type { FastifyInstance } from "fastify";
import type { AccountKey } from "../../../billing/keys.ts";
import type { ApiContext } from "../../context.ts";
import { esc, keyName, readForm } from "../../html.ts";
import { RateLimiter } from "../../rate-limiter.ts";
import { dashboardPage, sendDashboard, utc } from "./layout.ts";
import { csrfMatches, requireVisitor, type Visitor } from "./session.ts";

const TITLE = "API keys";

function keyTable(keys: AccountKey[], csrf: string): string {
  if (keys.length === 0) return `<p>No keys are linked to this account yet.</p>`;
  const rows = keys.map((k) => {
    const action = k.revoked_at
      ? `Revoked ${esc(utc(k.revoked_at))}`
      : `<form method="post" action="/dashboard/keys/revoke" class="inline">
<input type="hidden" name="csrf" value="${esc(csrf)}"><input type="hidden" name="key_id" value="${esc(k.id)}">
<button type="submit" class="plain" aria-label="Revoke ${esc(keyName(k.hint))}">Revoke</button></form>`;
    return `<tr><td>${esc(keyName(k.hint))}</td><td>${esc(utc(k.created_at))}</td><td>${esc(k.last_used_at ? utc(k.last_used_at) : "never")}</td>
<td>${k.calls}</td><td>${action}</td></tr>`;
  });
  return `<table><thead><tr><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th>
<th scope="col">Calls</th><th scope="col">Revoke</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/**
 * The account's keys, made and revoked from the dashboard: the same key store as the /keys page and
 * `clawcall admin revoke-key`. A new key is shown once, on the page that made it; only its hash is kept.
 */
export function registerKeysPage(app: FastifyInstance, ctx: ApiContext): void {
  // A signed-in account cannot fill the table with keys faster than a person would.
  const creations = new RateLimiter(20, 3_600_000);

  const show = async (visitor: Visitor, notice = "") => {
    const keys = await ctx.billing.keys.ofAccount(visitor.account.id);
    const body = `${notice}<p class="muted">A revoked key stops working at once, everywhere. Revoke any key you do not recognise.</p>
${keyTable(keys, visitor.csrf)}
<h2>New key</h2>
<form method="post" action="/dashboard/keys"><input type="hidden" name="csrf" value="${esc(visitor.csrf)}">
<p>A new key spends this account's call time. It is shown once, right after it is made.</p>
<button type="submit">Create a key</button></form>`;
    return dashboardPage(TITLE, body, visitor, "/dashboard/keys");
  };

  app.get("/dashboard/keys", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    return sendDashboard(reply, 200, await show(visitor));
  });

  app.post("/dashboard/keys", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    if (!csrfMatches(ctx, visitor.sessionId, readForm(req).get("csrf"))) {
      const notice = `<p class="error" role="alert">This form has expired. Please try again.</p>`;
      return sendDashboard(reply, 403, await show(visitor, notice));
    }
    if (creations.hit(visitor.account.id) > 0) {
      const notice = `<p class="error" role="alert">Too many new keys this hour. Try again later.</p>`;
      return sendDashboard(reply, 429, await show(visitor, notice));
    }
    const { key } = await ctx.billing.keys.mint(new Date(), visitor.account.id);
    const notice = `<div role="status"><p class="ok">Your new key (copy it now: it is not shown again):</p>
<p class="key" id="new-key">${esc(key)}</p></div>`;
    return sendDashboard(reply, 201, await show(visitor, notice));
  });

  app.post("/dashboard/keys/revoke", async (req, reply) => {
    const visitor = await requireVisitor(ctx, req, reply);
    if (!visitor) return;
    const f = readForm(req);
    if (!csrfMatches(ctx, visitor.sessionId, f.get("csrf"))) {
      const notice = `<p class="error" role="alert">This form has expired. Please try again.</p>`;
      return sendDashboard(reply, 403, await show(visitor, notice));
    }
    const keyId = f.get("key_id") ?? "";
    // Named by id only here: a hint could match another of the account's keys.
    const key = (await ctx.billing.keys.ofAccount(visitor.account.id)).find((k) => k.id === keyId);
    const revoked = key
      ? await ctx.billing.keys.revokeForAccount(visitor.account.id, key.id, new Date())
      : null;
    const notice = revoked
      ? `<p class="ok" role="status">Key ${esc(keyName(revoked.hint))} is revoked.</p>`
      : `<p class="error" role="alert">No such key on this account.</p>`;
    return sendDashboard(reply, revoked ? 200 : 404, await show(visitor, notice));
  });
}
