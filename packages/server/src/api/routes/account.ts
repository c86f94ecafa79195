import { type Balance, LOW_BALANCE_SECONDS, type Me } from "@clawcall/contract";
import type { FastifyInstance } from "fastify";
import { balanceOf, requireKey, standingOf, tierOf } from "../auth.ts";
import type { ApiContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { echoesKey } from "../key-echo.ts";

export function registerAccountRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/balance", async (req) => {
    const key = await requireKey(ctx, req);
    const seconds = await balanceOf(ctx, key);
    const body: Balance = {
      balance_seconds: seconds,
      balance_minutes: Math.round((seconds / 60) * 10) / 10,
      tier: await tierOf(ctx, key),
      low_balance: seconds < LOW_BALANCE_SECONDS,
      // The seed promises `api_key` in every keyed body; see key-echo.ts and docs/decisions.md.
      ...(echoesKey(req) ? { api_key: key.raw } : {}),
      ...(await standingOf(ctx, key)),
    };
    return body;
  });

  app.get("/me", async (req) => {
    const key = await requireKey(ctx, req);
    const account = key.record.account_id ? await ctx.billing.accountById(key.record.account_id) : undefined;
    if (!account) {
      throw new ApiError(
        "auth_required",
        "This key is not linked to an account. Sign up or sign in to link it.",
      );
    }
    const seconds = await balanceOf(ctx, key);
    const body: Me = {
      user_id: account.id,
      userId: account.id,
      email: account.email,
      balance_seconds: seconds,
      balanceSeconds: seconds,
      tier: await tierOf(ctx, key),
      api_key: key.raw,
      ...(await standingOf(ctx, key)),
    };
    return body;
  });
}
