import {
  AccountPhoneInputSchema,
  AccountPhoneViewSchema,
  BalanceSchema,
  CallCreatedSchema,
  CallListSchema,
  CallPreferencesInputSchema,
  CallPreferencesSchema,
  CallRequestSchema,
  CallResultSchema,
  CallViewSchema,
  ERROR_STATUS,
  ErrorBodySchema,
  HangupResultSchema,
  HISTORY_LIMIT_DEFAULT,
  HISTORY_LIMIT_MAX,
  HistorySchema,
  MeSchema,
  PhoneVerificationStartedSchema,
} from "@clawcall/contract";
import { z } from "zod";

/**
 * The contract, machine-readable, generated from the same zod schemas that validate requests and
 * shape responses, so the two cannot drift apart.
 */
export function buildOpenApi(serverUrl: string) {
  const schema = (s: z.ZodType) =>
    z.toJSONSchema(s, { target: "openapi-3.0", io: "output", unrepresentable: "any" });
  const components = {
    CallRequest: z.toJSONSchema(CallRequestSchema, { target: "openapi-3.0", io: "input" }),
    CallCreated: schema(CallCreatedSchema),
    Call: schema(CallViewSchema),
    /** Also inside Call as `result`; named here for clients that read it on its own. */
    CallResult: schema(CallResultSchema),
    CallList: schema(CallListSchema),
    History: schema(HistorySchema),
    CallPreferencesInput: z.toJSONSchema(CallPreferencesInputSchema, { target: "openapi-3.0", io: "input" }),
    CallPreferences: schema(CallPreferencesSchema),
    HangupResult: schema(HangupResultSchema),
    Balance: schema(BalanceSchema),
    Me: schema(MeSchema),
    AccountPhoneInput: z.toJSONSchema(AccountPhoneInputSchema, { target: "openapi-3.0", io: "input" }),
    AccountPhone: schema(AccountPhoneViewSchema),
    PhoneVerificationStarted: schema(PhoneVerificationStartedSchema),
    Error: schema(ErrorBodySchema),
  };
  const ref = (name: keyof typeof components) => ({ $ref: `#/components/schemas/${name}` });
  const json = (name: keyof typeof components) => ({ "application/json": { schema: ref(name) } });
  const errors = (...codes: (keyof typeof ERROR_STATUS)[]) => {
    const byStatus = new Map<number, string[]>();
    for (const c of codes) byStatus.set(ERROR_STATUS[c], [...(byStatus.get(ERROR_STATUS[c]) ?? []), c]);
    return Object.fromEntries(
      [...byStatus].map(([status, list]) => [
        String(status),
        { description: list.join(", "), content: json("Error") },
      ]),
    );
  };
  const keyed = [{ ApiKey: [] }];
  const idParam = [{ name: "call_id", in: "path", required: true, schema: { type: "string" } }];

  return {
    openapi: "3.0.3",
    info: {
      title: "ClawCall API",
      version: "1.0.0",
      description:
        "Place phone calls conducted by an AI voice agent; read back transcript, recording and outcome.",
    },
    servers: [{ url: serverUrl }],
    components: {
      schemas: components,
      securitySchemes: {
        ApiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
        OAuth: {
          type: "oauth2",
          description:
            "For the MCP endpoint only; clients register themselves at /oauth/register (RFC 7591).",
          flows: {
            authorizationCode: {
              authorizationUrl: `${serverUrl}/oauth/authorize`,
              tokenUrl: `${serverUrl}/oauth/token`,
              refreshUrl: `${serverUrl}/oauth/token`,
              scopes: { calls: "Place calls, read calls and the balance, change call settings" },
            },
          },
        },
      },
    },
    paths: {
      "/call": {
        post: {
          summary: "Place a call (mints a key with the free allowance when none is sent)",
          security: [{}, ...keyed],
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description:
                "Names this placement: the same key and body within 24 h return the first call instead of placing another.",
              schema: { type: "string", minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: json("CallRequest") },
          responses: {
            "201": { description: "Queued", content: json("CallCreated") },
            ...errors(
              "invalid_json",
              "missing_fields",
              "invalid_phone",
              "invalid_voice",
              "invalid_request",
              "unsupported_destination",
              "invalid_api_key",
              "quota_exceeded",
              "balance_depleted",
              "rate_limited",
              "too_many_active_calls",
              "dial_failed",
              "number_pool_exhausted",
              "idempotency_conflict",
              "invalid_loop_in_user",
              "invalid_loop_in_destination",
              "account_phone_unavailable",
            ),
          },
        },
      },
      "/call/{call_id}": {
        get: {
          summary: "Status and result of a call",
          security: keyed,
          parameters: idParam,
          responses: {
            "200": { description: "The call", content: json("Call") },
            ...errors("auth_required", "invalid_api_key", "not_found"),
          },
        },
      },
      "/call/{call_id}/hangup": {
        post: {
          summary: "End or cancel a call (idempotent)",
          security: keyed,
          parameters: idParam,
          responses: {
            "200": { description: "Ended", content: json("HangupResult") },
            ...errors("auth_required", "not_found"),
          },
        },
      },
      "/call/{call_id}/recording": {
        get: {
          summary: "Redirect to the call's signed, expiring recording link",
          security: keyed,
          parameters: idParam,
          responses: {
            "302": { description: "Redirect to the recording" },
            ...errors("auth_required", "not_found", "recording_not_available"),
          },
        },
      },
      "/call/{call_id}/events": {
        get: {
          summary: "Server-Sent Events: status changes and transcript lines as they happen",
          security: keyed,
          parameters: idParam,
          responses: {
            "200": {
              description:
                "text/event-stream of `status` and `transcript` events; a `result` event (what came of the call, see CallResult) right before the final `status`, after which the stream closes",
            },
            ...errors("auth_required", "not_found"),
          },
        },
      },
      "/calls": {
        get: {
          summary: "The key's (or account's) calls, newest first",
          security: keyed,
          parameters: [
            {
              name: "limit",
              in: "query",
              schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
            },
            {
              name: "before",
              in: "query",
              schema: { type: "string" },
              description: "next_before of the previous page",
            },
          ],
          responses: {
            "200": { description: "A page of calls", content: json("CallList") },
            ...errors("auth_required", "invalid_request"),
          },
        },
      },
      "/me/calls": {
        get: {
          summary: "Call history in the later revision's envelope, newest first",
          security: keyed,
          parameters: [
            {
              name: "limit",
              in: "query",
              schema: {
                type: "integer",
                minimum: 1,
                maximum: HISTORY_LIMIT_MAX,
                default: HISTORY_LIMIT_DEFAULT,
              },
            },
            { name: "direction", in: "query", schema: { type: "string", enum: ["outbound", "inbound"] } },
            {
              name: "since",
              in: "query",
              schema: { type: "string", format: "date-time" },
              description: "only calls finalized at or after this instant",
            },
          ],
          responses: {
            "200": { description: "Calls and the recording window", content: json("History") },
            ...errors("auth_required", "invalid_request"),
          },
        },
      },
      "/me/call-preferences": {
        get: {
          summary: "Defaults for calls that omit voice, personality or greeting",
          security: keyed,
          responses: {
            "200": { description: "Preferences", content: json("CallPreferences") },
            ...errors("auth_required"),
          },
        },
        put: {
          summary: "Replace the preferences (fields left out are cleared)",
          security: keyed,
          requestBody: { required: true, content: json("CallPreferencesInput") },
          responses: {
            "200": { description: "Preferences", content: json("CallPreferences") },
            ...errors("invalid_json", "invalid_preferences", "auth_required"),
          },
        },
        delete: {
          summary: "Reset the preferences",
          security: keyed,
          responses: {
            "200": { description: "Preferences", content: json("CallPreferences") },
            ...errors("auth_required"),
          },
        },
      },
      "/me/phone": {
        get: {
          summary: "The account's own phone (the hand-off target of loop_in_user) and its verification",
          security: keyed,
          responses: {
            "200": { description: "The phone, or null", content: json("AccountPhone") },
            ...errors("auth_required", "invalid_api_key"),
          },
        },
        post: {
          summary:
            "Verify a phone: answers with the code and calls the phone, which asks for it to be typed on its keypad",
          security: keyed,
          requestBody: { required: true, content: json("AccountPhoneInput") },
          responses: {
            "202": { description: "Calling the phone", content: json("PhoneVerificationStarted") },
            ...errors(
              "invalid_json",
              "missing_fields",
              "invalid_phone",
              "invalid_request",
              "unsupported_destination",
              "auth_required",
              "invalid_api_key",
              "rate_limited",
              "number_pool_exhausted",
            ),
          },
        },
        delete: {
          summary: "Remove the account's phone",
          security: keyed,
          responses: {
            "200": { description: "Removed", content: json("AccountPhone") },
            ...errors("auth_required", "invalid_api_key"),
          },
        },
      },
      "/balance": {
        get: {
          summary: "Balance of the key",
          security: keyed,
          responses: {
            "200": { description: "Balance", content: json("Balance") },
            ...errors("auth_required"),
          },
        },
      },
      "/me": {
        get: {
          summary: "The account a key is linked to",
          security: keyed,
          responses: { "200": { description: "Account", content: json("Me") }, ...errors("auth_required") },
        },
      },
      "/guides/v1/{page}": {
        get: {
          summary: "A guide for assistants, in Markdown (index.md lists them); no key needed",
          parameters: [{ name: "page", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              description: "text/markdown",
              content: { "text/markdown": { schema: { type: "string" } } },
            },
            ...errors("not_found", "rate_limited"),
          },
        },
      },
      "/mcp": {
        post: {
          summary:
            "The remote MCP server (Streamable HTTP, JSON-RPC). 401 names the protected-resource metadata in WWW-Authenticate",
          security: [{ OAuth: ["calls"] }, ...keyed],
          responses: {
            "200": { description: "application/json or text/event-stream, as MCP's transport says" },
            ...errors("auth_required", "invalid_api_key"),
          },
        },
      },
      "/.well-known/oauth-protected-resource/mcp": {
        get: { summary: "RFC 9728 metadata of /mcp", responses: { "200": { description: "JSON" } } },
      },
      "/.well-known/oauth-authorization-server": {
        get: {
          summary: "RFC 8414 authorization server metadata",
          responses: { "200": { description: "JSON" } },
        },
      },
      "/oauth/register": {
        post: {
          summary: "RFC 7591 dynamic registration of a public client (https or loopback redirect URIs)",
          responses: {
            "201": { description: "JSON: client_id" },
            "400": { description: "OAuth error JSON" },
          },
        },
      },
      "/oauth/authorize": {
        get: {
          summary: "The consent page: the account's sign-in form (authorization code, PKCE S256 required)",
          responses: { "200": { description: "text/html" }, "302": { description: "Back to the client" } },
        },
      },
      "/oauth/token": {
        post: {
          summary: "Form-encoded: authorization_code (with code_verifier) or refresh_token (rotated)",
          responses: { "200": { description: "JSON tokens" }, "400": { description: "OAuth error JSON" } },
        },
      },
      "/oauth/revoke": {
        post: {
          summary: "RFC 7009: revoking either token ends the authorization",
          responses: { "200": { description: "Always, known token or not" } },
        },
      },
      "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "OK" } } } },
      "/metrics": {
        get: { summary: "Prometheus metrics", responses: { "200": { description: "text/plain" } } },
      },
    },
  };
}
