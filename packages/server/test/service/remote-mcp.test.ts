import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import {
  authorize,
  hiddenFields,
  pkcePair,
  REDIRECT_URI,
  registerClient,
  signUp,
  tokenRequest,
  tokensFor,
} from "../helpers/oauth-flow.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

const A = { email: "ada@example.test", password: "copper lantern seven" };
const B = { email: "bo@example.test", password: "maple harbor ninety" };

// biome-ignore lint/suspicious/noExplicitAny: tool results carry each tool's own JSON
type ToolText = { content: { type: string; text: string }[]; isError?: boolean; structuredContent?: any };

async function mcpClient(service: TestService, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${service.url}/mcp`), { requestInit: { headers } }),
  );
  return client;
}

const callTool = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as ToolText;

describe("the remote MCP server at /mcp", () => {
  let service: TestService;
  let anonymousKey: string;
  const open: Client[] = [];
  beforeAll(async () => {
    service = await startTestService(
      { CLAWCALL_SIGNUP_GRANT_SECONDS: "600" },
      { engine: new ListeningEngine({ talkSeconds: 0.3, lines: [{ role: "assistant", text: "Hello." }] }) },
    );
    await signUp(service, A.email, A.password);
    await signUp(service, B.email, B.password);
    const placed = await service.request("POST", "/call", {
      body: { to: "+12125550100", task: "Greet them." },
    });
    anonymousKey = placed.body.api_key;
    await pollUntilFinal(service, anonymousKey, placed.body.call_id);
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    await service?.dispose();
  });

  it("answers 401 with where to find its authorization server, which names every endpoint", async () => {
    const res = await service.request("POST", "/mcp", { body: { jsonrpc: "2.0", id: 1, method: "ping" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${service.url}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(res.body.error.code).toBe("auth_required");
    const resource = await service.request("GET", "/.well-known/oauth-protected-resource/mcp");
    expect(resource.body).toMatchObject({
      resource: `${service.url}/mcp`,
      authorization_servers: [service.url],
    });
    const server = await service.request("GET", "/.well-known/oauth-authorization-server");
    expect(server.body).toMatchObject({
      issuer: service.url,
      authorization_endpoint: `${service.url}/oauth/authorize`,
      token_endpoint: `${service.url}/oauth/token`,
      registration_endpoint: `${service.url}/oauth/register`,
      revocation_endpoint: `${service.url}/oauth/revoke`,
      code_challenge_methods_supported: ["S256"],
    });
    const bad = await service.request("POST", "/mcp", {
      headers: { authorization: "Bearer clawcall_at_nothing" },
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("takes an API key in X-Api-Key or as a bearer token, and no tool output shows it", async () => {
    const ways: Record<string, string>[] = [
      { "x-api-key": anonymousKey },
      { authorization: `Bearer ${anonymousKey}` },
    ];
    for (const headers of ways) {
      const client = await mcpClient(service, headers);
      open.push(client);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "place_call",
          "get_call",
          "get_call_transcript",
          "hangup_call",
          "list_calls",
        ]),
      );
      expect(names).toEqual(
        expect.arrayContaining(["get_recording", "get_balance", "get_calling_guide", "update_call_settings"]),
      );
      // connect_webhook is offered where the account webhook API is served.
      expect(names.includes("connect_webhook")).toBe(
        service.app.hasRoute({ method: "PUT", url: "/me/webhook" }),
      );
      const balance = await callTool(client, "get_balance");
      expect(balance.isError).toBeFalsy();
      expect(balance.structuredContent.balance_seconds).toBeGreaterThan(0);
      const list = await callTool(client, "list_calls");
      expect(list.structuredContent.calls).toHaveLength(1);
      for (const out of [balance, list]) {
        expect(JSON.stringify(out)).not.toContain(anonymousKey);
        expect(JSON.stringify(out)).not.toContain("api_key");
      }
    }
  });

  it("reads transcripts, recordings and guides, and changes only the settings it names", async () => {
    const client = await mcpClient(service, { "x-api-key": anonymousKey });
    open.push(client);
    const callId = (await callTool(client, "list_calls")).structuredContent.calls[0].call_id as string;
    const said = await callTool(client, "get_call_transcript", { call_id: callId });
    expect(said.content[0]!.text).toContain("assistant: Hello.");
    const recording = await callTool(client, "get_recording", { call_id: callId });
    expect(recording.structuredContent.recording_url).toMatch(/\/recordings\//);
    const guide = await callTool(client, "get_calling_guide", { topic: "errors" });
    expect(guide.content[0]!.text).toContain(service.url);
    expect((await callTool(client, "get_call", { call_id: "nope" })).content[0]!.text).toContain("not_found");

    await callTool(client, "update_call_settings", { voice: "eric", personality: "Warm and brief." });
    const changed = await callTool(client, "update_call_settings", { personality: null });
    expect(changed.isError).toBeFalsy();
    expect(changed.structuredContent).toMatchObject({ voice: "eric", personality: null, configured: true });
    const refused = await callTool(client, "update_call_settings", { voice: "nobody" });
    expect(refused.isError).toBe(true);
    expect((await callTool(client, "get_call_settings")).structuredContent.voice).toBe("eric");
  });

  it("registers only https or loopback redirect URIs", async () => {
    for (const uri of ["http://example.test/cb", "javascript:alert(1)", "https://example.test/cb#x"]) {
      const res = await service.request("POST", "/oauth/register", { body: { redirect_uris: [uri] } });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_redirect_uri");
    }
    expect(await registerClient(service, "https://assistant.example.test/cb")).toMatch(/^clawcall_client_/);
  });

  it("refuses a wrong PKCE verifier, and a code used twice", async () => {
    const clientId = await registerClient(service);
    const { verifier, challenge } = pkcePair();
    const code = await authorize(service, clientId, challenge, A);
    const exchange = (v: string) =>
      tokenRequest(service, {
        grant_type: "authorization_code",
        code,
        code_verifier: v,
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
      });
    const wrong = await exchange(pkcePair().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe("invalid_grant");

    const second = pkcePair();
    const fresh = await authorize(service, clientId, second.challenge, A);
    const exchangeFresh = () =>
      tokenRequest(service, {
        grant_type: "authorization_code",
        code: fresh,
        code_verifier: second.verifier,
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
      });
    expect((await exchangeFresh()).status).toBe(200);
    const again = await exchangeFresh();
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_grant");
    expect(verifier).not.toBe(second.verifier);
  });

  it("a wrong password keeps the consent page, and a plain challenge is refused back to the client", async () => {
    const clientId = await registerClient(service);
    await expect(
      authorize(service, clientId, pkcePair().challenge, { ...A, password: "wrong one" }),
    ).rejects.toThrow(/consent answered 401/);
    const plain = await service.request(
      "GET",
      `/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge: "x".repeat(43), code_challenge_method: "plain", state: "s" })}`,
    );
    expect(plain.status).toBe(302);
    const back = new URL(plain.headers.get("location")!);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("state")).toBe("s");
    const unknown = await service.request(
      "GET",
      `/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: "https://evil.example.test/cb" })}`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("location")).toBeNull();
    expect(unknown.headers.get("x-frame-options")).toBe("DENY");
  });

  it("the consent form is bound to the request it showed, and Deny goes back with access_denied", async () => {
    const clientId = await registerClient(service);
    const q = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
      state: "s1",
    });
    const shown = await service.request("GET", `/oauth/authorize?${q}`);
    expect(shown.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const fields = hiddenFields(shown.text);
    const post = (extra: Record<string, string>) =>
      service.request("POST", "/oauth/authorize", {
        raw: new URLSearchParams({ ...fields, ...A, decision: "allow", ...extra }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
    // An attacker's own PKCE challenge swapped into the form would bind the code to their verifier.
    const swapped = await post({
      request: fields.request!.replace(/code_challenge=[^&]+/, `code_challenge=${pkcePair().challenge}`),
    });
    expect(swapped.status).toBe(400);
    expect(swapped.headers.get("location")).toBeNull();
    const denied = await post({ decision: "deny", password: "" });
    expect(denied.status).toBe(302);
    const back = new URL(denied.headers.get("location")!);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("code")).toBeNull();
    expect(back.searchParams.get("state")).toBe("s1");
  });

  it("a token of one account cannot read another account's call", async () => {
    const a = await tokensFor(service, A);
    const b = await tokensFor(service, B);
    const clientA = await mcpClient(service, { authorization: `Bearer ${a.access_token}` });
    const clientB = await mcpClient(service, { authorization: `Bearer ${b.access_token}` });
    open.push(clientA, clientB);
    const placed = await callTool(clientA, "place_call", { to: "+13125550100", task: "Greet them." });
    expect(placed.isError, placed.content[0]?.text).toBeFalsy();
    const callId = placed.structuredContent.call_id as string;
    const mine = await callTool(clientA, "get_call", { call_id: callId });
    expect(mine.structuredContent.call_id).toBe(callId);
    const theirs = await callTool(clientB, "get_call", { call_id: callId });
    expect(theirs.isError).toBe(true);
    expect(theirs.content[0]!.text).toContain("not_found");
    expect((await callTool(clientB, "list_calls")).structuredContent.calls).toHaveLength(0);
    await callTool(clientA, "hangup_call", { call_id: callId });
  });

  it("rotates refresh tokens, and a revoked grant answers 401", async () => {
    const t = await tokensFor(service, A);
    const refreshed = await tokenRequest(service, {
      grant_type: "refresh_token",
      refresh_token: t.refresh_token,
      client_id: t.clientId,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(t.refresh_token);
    const reused = await tokenRequest(service, {
      grant_type: "refresh_token",
      refresh_token: t.refresh_token,
      client_id: t.clientId,
    });
    expect(reused.body.error).toBe("invalid_grant");
    const ping = (token: string) =>
      service.request("POST", "/mcp", {
        headers: { authorization: `Bearer ${token}`, accept: "application/json, text/event-stream" },
        body: { jsonrpc: "2.0", id: 1, method: "ping" },
      });
    expect((await ping(refreshed.body.access_token)).status).toBe(200);
    const revoked = await service.request("POST", "/oauth/revoke", {
      raw: new URLSearchParams({ token: refreshed.body.refresh_token, client_id: t.clientId }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(revoked.status).toBe(200);
    expect((await ping(refreshed.body.access_token)).status).toBe(401);
  });
});
