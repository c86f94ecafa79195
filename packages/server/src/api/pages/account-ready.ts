import type { Account } from "../../billing/billing.ts";
import type { ApiKeyRecord } from "../../billing/keys.ts";
import type { ApiContext } from "../context.ts";
import { esc, formatSeconds, keyName, page } from "../html.ts";

/** The API key an account page's link carries in `?token=` (or its form's `token` field), if it is valid. */
export async function keyFromLink(ctx: ApiContext, token: string | undefined): Promise<ApiKeyRecord | null> {
  return token ? ctx.billing.keys.find(token) : null;
}

/** Which key this is, in the words people check it by: its first characters, when it was made, its calls. */
export async function keySummary(ctx: ApiContext, key: ApiKeyRecord): Promise<string> {
  const calls = await ctx.billing.keys.callCount(key.id);
  return `the API key <strong>${esc(keyName(key.hint))}</strong>, created
${esc(key.created_at.slice(0, 16).replace("T", " "))} UTC, with ${calls} call(s) so far`;
}

/**
 * The page once someone is signed in or has finished signing up: what became of the key they chose to
 * link, the account's balance, and how to get call time. `token` is the raw key of the page's link, for
 * the purchase link; a mailed sign-up link carries none.
 */
export async function accountReadyPage(
  ctx: ApiContext,
  account: Account,
  chosen: { key: ApiKeyRecord | null; confirmed: boolean; token: string; note?: string },
  now: Date,
): Promise<string> {
  const { key, confirmed, token } = chosen;
  const result = key && confirmed ? await ctx.billing.linkKey(key, account, now) : null;
  // Read after linking: what was left of the key's free allowance has moved to the account.
  const balance = await ctx.billing.ledger.balance(`account:${account.id}`);
  // Telling someone to retry a call that would be refused for want of time sends them round in a circle.
  const empty = balance <= 0;
  let linked = chosen.note ?? "";
  if (key && !confirmed) {
    linked = `<p class="muted">The key from the link (${esc(keyName(key.hint))}) was not linked.</p>`;
  } else if (result) {
    linked =
      result === "other_account"
        ? `<p class="error">This key is already linked to another account; it was left as it is.</p>`
        : `<p class="ok">Your assistant's key is linked to this account.${empty ? "" : " Go back to your assistant and retry the call."}</p>`;
  }
  const buy = token ? `<p><a href="/purchase?token=${encodeURIComponent(token)}">Buy call time</a></p>` : "";
  const howToGetTime = empty
    ? `<p>Calls need call time. ${token ? "Buy some below" : "Open the purchase link your assistant gave you"}, or ask the operator of this service for a grant; then retry the call.</p>`
    : "";
  return page(
    empty ? "Your account has no call time yet" : "You're all set",
    `${linked}<p>Account balance: <strong>${esc(formatSeconds(balance))}</strong>.</p>${howToGetTime}${buy}
<p><a href="/keys">See and revoke the keys linked to this account</a></p>
<p><a href="/dashboard/sign-in">Open your dashboard</a>: your calls, keys and call time.</p>`,
  );
}
