import type { TestResponse, TestService } from "./service.ts";

/**
 * A browser without the browser: keeps the dashboard's cookies, reads each page's CSRF token and posts
 * its forms, so suites can drive the pages over plain HTTP.
 */
export class DashboardVisitor {
  readonly cookies = new Map<string, string>();
  /** The Set-Cookie lines of the last response, as sent. */
  lastSetCookies: string[] = [];

  constructor(
    private readonly service: Pick<TestService, "request">,
    private readonly client = "192.0.2.50",
  ) {}

  private cookieHeader(): Record<string, string> {
    const value = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return value ? { cookie: value } : {};
  }

  private keep(res: TestResponse): TestResponse {
    this.lastSetCookies = res.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string): Promise<TestResponse> {
    return this.keep(
      await this.service.request("GET", path, {
        headers: { ...this.cookieHeader(), "x-forwarded-for": this.client },
      }),
    );
  }

  /** Posts a form; a list is sent as one field repeated (checkboxes of one name). */
  async post(path: string, fields: Record<string, string | string[]>): Promise<TestResponse> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields))
      for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
    return this.keep(
      await this.service.request("POST", path, {
        raw: form.toString(),
        headers: {
          ...this.cookieHeader(),
          "content-type": "application/x-www-form-urlencoded",
          "x-forwarded-for": this.client,
        },
      }),
    );
  }

  /** Posts a page's form with the CSRF token the page carries. */
  async submit(
    pagePath: string,
    action: string,
    fields: Record<string, string | string[]>,
  ): Promise<TestResponse> {
    const page = await this.get(pagePath);
    return this.post(action, { csrf: csrfIn(page.text), ...fields });
  }

  /** Signs up (or in) from the dashboard's own form; the session cookie is kept. */
  async signUp(email: string, password: string, action: "sign-up" | "sign-in" = "sign-up") {
    const res = await this.submit(`/dashboard/${action}`, `/dashboard/${action}`, { email, password });
    if (res.status !== 303) throw new Error(`${action} answered ${res.status}: ${res.text}`);
    return res;
  }
}

export function csrfIn(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF token in:\n${html.slice(0, 500)}`);
  return m[1]!;
}
