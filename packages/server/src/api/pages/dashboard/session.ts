import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Account } from "../../../billing/billing.ts";
import type { ApiContext } from "../../context.ts";

/** The signed-in session's cookie, and the one a sign-in form is tied to before there is a session. */
export const SESSION_COOKIE = "clawcall_session";
const FORM_COOKIE = "clawcall_form";
const FORM_COOKIE_SECONDS = 3_600;

/** Who is looking at a dashboard page: the account, and the CSRF token its forms carry. */
export interface Visitor {
  account: Account;
  sessionId: string;
  csrf: string;
}

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A cookie scripts cannot read and other sites' forms do not send; Secure when the service is on https. */
export function setCookie(ctx: ApiContext, reply: FastifyReply, name: string, value: string, maxAge: number) {
  const secure = ctx.config.publicUrl.startsWith("https:") ? "; Secure" : "";
  const cookie = `${name}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure}`;
  const previous = reply.getHeader("set-cookie");
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  reply.header("set-cookie", [...list.map(String), cookie]);
}

/**
 * A form's CSRF token: an HMAC of the cookie it goes with under the service secret, so a page of another
 * site, which can neither read the cookie nor the page, cannot make one.
 */
export function csrfToken(ctx: ApiContext, anchor: string): string {
  return createHmac("sha256", ctx.secret).update(`dashboard-csrf\n${anchor}`).digest("base64url");
}

export function csrfMatches(ctx: ApiContext, anchor: string, given: string | null): boolean {
  const expected = Buffer.from(csrfToken(ctx, anchor));
  const actual = Buffer.from(given ?? "");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The visitor behind the request's session cookie, or null when there is none or it has ended. */
export async function visitorOf(ctx: ApiContext, req: FastifyRequest): Promise<Visitor | null> {
  const sessionId = readCookie(req, SESSION_COOKIE);
  if (!sessionId) return null;
  const session = await ctx.billing.sessions.find(sessionId, new Date());
  const account = session ? await ctx.billing.accountById(session.accountId) : undefined;
  if (!account) return null;
  return { account, sessionId, csrf: csrfToken(ctx, sessionId) };
}

/** The visitor, or null after sending a signed-out visitor to the sign-in page. */
export async function requireVisitor(
  ctx: ApiContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<Visitor | null> {
  const visitor = await visitorOf(ctx, req);
  if (visitor) return visitor;
  const path = req.url.split("?")[0] ?? "/dashboard";
  // Only a dashboard path of this service is a place to come back to, never another site.
  const next =
    req.method === "GET" && /^\/dashboard(\/[A-Za-z0-9/_-]*)?$/.test(path) ? req.url : "/dashboard";
  await reply
    .status(303)
    .header("location", `/dashboard/sign-in?next=${encodeURIComponent(next)}`)
    .header("cache-control", "no-store")
    .send();
  return null;
}

/**
 * The anchor of a signed-out form's CSRF token: the form cookie, made now when the browser has none.
 * Tying the sign-in form to it keeps another site from signing a browser into the attacker's account.
 */
export function formAnchor(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(req, FORM_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const anchor = randomBytes(32).toString("base64url");
  setCookie(ctx, reply, FORM_COOKIE, anchor, FORM_COOKIE_SECONDS);
  return anchor;
}

/** Whether a signed-out form came back with the token of the form cookie it was given with. */
export function formTokenOk(ctx: ApiContext, req: FastifyRequest, given: string | null): boolean {
  const anchor = readCookie(req, FORM_COOKIE);
  return anchor !== undefined && csrfMatches(ctx, anchor, given);
}
