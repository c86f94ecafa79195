import type { SignInThrottle } from "../../billing/signin-throttle.ts";
import { clientGroup } from "../client-address.ts";
import type { ApiContext } from "../context.ts";
import type { RateLimiter } from "../rate-limiter.ts";

/**
 * The one budget every page that takes a password shares (sign-in, keys, the dashboard, OAuth consent,
 * mailed sign-up): attempts per client, and a wait that grows per email after failures.
 */
export interface SignInGuards {
  attempts: RateLimiter;
  signIns: SignInThrottle;
}

/**
 * Counts a password attempt from this client for `email`: the seconds it must wait first (the page
 * answers 429 with them in `Retry-After`), or 0 when it may try now.
 */
export function signInWait(ctx: ApiContext, guards: SignInGuards, ip: string, email: string): number {
  const retry = guards.attempts.hit(clientGroup(ip));
  const wait = guards.signIns.retryAfter(email);
  if (retry <= 0 && wait <= 0) return 0;
  ctx.limitLog.trip("account attempts", clientGroup(ip));
  return Math.max(retry, wait);
}
