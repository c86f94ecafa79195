import type { TestResponse, TestService } from "./service.ts";

/** Posts a page's form; `client` is the address the (trusted loopback) proxy says it comes from. */
export type FormPoster = (
  path: string,
  fields: Record<string, string>,
  client?: string,
) => Promise<TestResponse>;

export const formPoster =
  (service: Pick<TestService, "request">): FormPoster =>
  (path, fields, client = "192.0.2.1") =>
    service.request("POST", path, {
      raw: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": client },
    });

/** The first link in a mail's text whose path is `path`. */
export function linkIn(text: string, path: string): string {
  const link = text.match(/https?:\/\/\S+/g)?.find((l) => new URL(l).pathname === path);
  if (!link) throw new Error(`no ${path} link in:\n${text}`);
  return link;
}
