import type { FastifyInstance } from "fastify";
import type { SignInThrottle } from "../../../billing/signin-throttle.ts";
import type { ApiContext } from "../../context.ts";
import type { RateLimiter } from "../../rate-limiter.ts";
import { registerCallPage } from "./call-page.ts";
import { registerCallsPages } from "./calls-pages.ts";
import { registerKeysPage } from "./keys-page.ts";
import { registerPlacePage } from "./place-page.ts";
import { registerPreferencesPage } from "./preferences-page.ts";
import { registerDashboardScript } from "./script.ts";
import { registerSignInPages } from "./sign-in-pages.ts";
import { registerUsagePage } from "./usage-page.ts";
import { registerWebhooksPage } from "./webhooks-page.ts";

/**
 * The dashboard at /dashboard, for the people behind the keys: server-rendered pages behind a session
 * cookie, each showing only the signed-in account's calls, keys, time and webhook. The token links of the account
 * pages keep working beside it.
 */
export function registerDashboard(
  app: FastifyInstance,
  ctx: ApiContext,
  guards: { attempts: RateLimiter; signIns: SignInThrottle },
): void {
  registerDashboardScript(app);
  registerSignInPages(app, ctx, guards);
  registerCallsPages(app, ctx);
  registerCallPage(app, ctx);
  registerPlacePage(app, ctx);
  registerKeysPage(app, ctx);
  registerUsagePage(app, ctx);
  registerPreferencesPage(app, ctx);
  registerWebhooksPage(app, ctx);
}
