import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { AccountKey } from "../../billing/keys.ts";
import type { ApiContext } from "../context.ts";
import { esc, keyName, page, readForm, sendHtml } from "../html.ts";
import { type SignInGuards, signInWait } from "./sign-in-guards.ts";

/** How long the key list's revoke buttons work after the password was entered. */
const MANAGE_MS = 10 * 60_000;
const TITLE = "Your API keys";

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never");

/**
 * A password-free pass for the revoke buttons, in a hidden field: the account id and an expiry, signed
 * with the service secret. Pages have no cookies, so this is what carries the sign-in to the next form.
 */
function managePass(secret: string, accountId: string, now: number): string {
  const until = now + MANAGE_MS;
  const sig = createHmac("sha256", secret).update(`manage-keys\n${accountId}\n${until}`).digest("base64url");
  return `${accountId}.${until}.${sig}`;
}

function accountOfPass(secret: string, pass: string, now: number): string | null {
  const [accountId, until, sig] = pass.split(".");
  if (!accountId || !until || !sig || Number(until) <= now) return null;
  const expected = Buffer.from(
    createHmac("sha256", secret).update(`manage-keys\n${accountId}\n${until}`).digest("base64url"),
  );
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? accountId : null;
}

const signInForm = (error?: string) => `${error ? `<p class="error">${esc(error)}</p>` : ""}
<p>Sign in to see every API key linked to your account and to revoke any of them.</p>
<form method="post" action="/keys">
<label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">Show my keys</button>
</form>`;

function keyList(keys: AccountKey[], pass: string, notice = ""): string {
  const rows = keys.map((k) => {
    const action = k.revoked_at
      ? `revoked ${esc(when(k.revoked_at))}`
      : `<form method="post" action="/keys/revoke"><input type="hidden" name="pass" value="${esc(pass)}">
<input type="hidden" name="key_id" value="${esc(k.id)}"><button type="submit">Revoke</button></form>`;
    return `<li><strong>${esc(keyName(k.hint))}</strong>: created ${esc(when(k.created_at))}, last used
${esc(when(k.last_used_at))}, ${k.calls} call(s). ${action}</li>`;
  });
  return `${notice}<p class="muted">A revoked key stops working at once, everywhere. Revoke any key you do not recognise.</p>
<ul>${rows.join("\n") || "<li>No keys are linked to this account.</li>"}</ul>`;
}

/** The keys page: list an account's keys (after its password) and revoke them. */
export function registerKeyPages(app: FastifyInstance, ctx: ApiContext, guards: SignInGuards): void {
  const show = async (reply: FastifyReply, status: number, accountId: string, notice = "") =>
    sendHtml(
      reply,
      status,
      page(
        TITLE,
        keyList(
          await ctx.billing.keys.ofAccount(accountId),
          managePass(ctx.secret, accountId, Date.now()),
          notice,
        ),
      ),
    );

  app.get("/keys", async (_req, reply) => sendHtml(reply, 200, page(TITLE, signInForm())));

  app.post("/keys", async (req, reply) => {
    const f = readForm(req);
    const email = (f.get("email") ?? "").trim();
    const password = f.get("password") ?? "";
    const wait = signInWait(ctx, guards, req.ip, email);
    if (wait > 0) {
      reply.header("retry-after", String(wait));
      return sendHtml(reply, 429, page(TITLE, signInForm("Too many attempts. Wait a little and try again.")));
    }
    const account = email && password ? await ctx.billing.authenticate(email, password) : null;
    if (!account) {
      guards.signIns.failed(email);
      return sendHtml(reply, 401, page(TITLE, signInForm("Wrong email or password.")));
    }
    guards.signIns.succeeded(email);
    return show(reply, 200, account.id);
  });

  app.post("/keys/revoke", async (req, reply) => {
    const f = readForm(req);
    const accountId = accountOfPass(ctx.secret, f.get("pass") ?? "", Date.now());
    if (!accountId)
      return sendHtml(reply, 401, page(TITLE, signInForm("That page has expired. Sign in again.")));
    const revoked = await ctx.billing.keys.revokeForAccount(accountId, f.get("key_id") ?? "", new Date());
    const notice = revoked
      ? `<p class="ok">Key ${esc(keyName(revoked.hint))} is revoked.</p>`
      : `<p class="error">No such key on this account.</p>`;
    return show(reply, revoked ? 200 : 404, accountId, notice);
  });
}
