import type { FastifyInstance } from "fastify";

/** What stands where the API key was in a tool's output. */
export const KEY_HIDDEN = "API_KEY_HIDDEN";

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the HTTP API's JSON bodies, each route's own shape
  body: any;
  text: string;
  headers: Record<string, string | string[] | number | undefined>;
}

/**
 * The HTTP API, called in-process with the caller's API key: a tool does what the same request would do,
 * with the same validation, errors, limits and ownership checks, so the MCP tools add no second rule set.
 * The caller's address goes along so per-client limits count the person, not the loopback.
 */
export class ApiCaller {
  constructor(
    private readonly app: FastifyInstance,
    private readonly apiKey: string,
    private readonly clientAddress: string,
  ) {}

  async call(method: "GET" | "POST" | "PUT" | "DELETE", url: string, body?: unknown): Promise<ApiAnswer> {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        "x-api-key": this.apiKey,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      remoteAddress: this.clientAddress,
    });
    let parsed: unknown = null;
    try {
      parsed = res.body ? JSON.parse(res.body) : null;
    } catch {
      parsed = null;
    }
    return { status: res.statusCode, body: parsed, text: res.body, headers: res.headers };
  }

  /**
   * What a tool may show: every `api_key` field dropped, and the key itself blanked wherever else it
   * appears (an error's personal links carry it), since a model reads every word of a tool's output.
   */
  withoutKey<T>(value: T): T {
    const drop = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(drop);
      if (v && typeof v === "object")
        return Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([k]) => k !== "api_key")
            .map(([k, x]) => [k, drop(x)]),
        );
      if (typeof v === "string")
        return v.split(this.apiKey).join(KEY_HIDDEN).split(encodeURIComponent(this.apiKey)).join(KEY_HIDDEN);
      return v;
    };
    return drop(value) as T;
  }
}
