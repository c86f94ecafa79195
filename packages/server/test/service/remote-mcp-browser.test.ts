import http from "node:http";
import type { AddressInfo } from "node:net";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { signUp } from "../helpers/oauth-flow.ts";
import { CHROMIUM, CHROMIUM_PATH, describeWith } from "../helpers/prerequisites.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const ACCOUNT = { email: "remote@example.test", password: "harbor lantern quartz" };

/** What an MCP client application keeps between runs, in memory; the browser part is the test's. */
class MemoryProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  authorizationUrl: URL | null = null;
  constructor(readonly redirectUrl: string) {}
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "Browser Test Assistant",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** The client application's loopback redirect URI: it hands over the code the browser brings back. */
async function redirectCatcher(): Promise<{ url: string; code: Promise<string>; close(): Promise<void> }> {
  let deliver: (code: string) => void = () => {};
  const code = new Promise<string>((r) => {
    deliver = r;
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    res.writeHead(200, { "content-type": "text/plain" }).end("You can close this window.");
    const got = url.searchParams.get("code");
    if (got) deliver(got);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    code,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describeWith(CHROMIUM, "a remote MCP client with only the service's URL", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(
      { CLAWCALL_SIGNUP_GRANT_SECONDS: "600" },
      { engine: new ListeningEngine({ talkSeconds: 0.3, lines: [{ role: "assistant", text: "Hello." }] }) },
    );
    await signUp(service, ACCOUNT.email, ACCOUNT.password);
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("registers, signs in on the consent page, places a sandbox call, refreshes, and is revoked", async () => {
    const catcher = await redirectCatcher();
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
    try {
      const provider = new MemoryProvider(catcher.url);
      const mcpUrl = new URL(`${service.url}/mcp`);
      const first = new Client({ name: "browser-test", version: "1.0.0" });
      await expect(
        first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })),
      ).rejects.toThrow(UnauthorizedError);
      expect(provider.client?.client_id).toMatch(/^clawcall_client_/);
      const authorizationUrl = provider.authorizationUrl;
      expect(authorizationUrl?.href.startsWith(`${service.url}/oauth/authorize?`)).toBe(true);

      // The person signs in and allows, on the page, with scripts off as the page promises to work.
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(authorizationUrl!.href);
      expect(await page.textContent("body")).toContain("Browser Test Assistant");
      await page.fill("#email", ACCOUNT.email);
      await page.fill("#password", ACCOUNT.password);
      await Promise.all([page.waitForURL(`${catcher.url}?**`), page.click("button[value=allow]")]);
      const code = await catcher.code;

      const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
      await transport.finishAuth(code);
      expect(provider.saved?.access_token).toMatch(/^clawcall_at_/);
      const client = new Client({ name: "browser-test", version: "1.0.0" });
      await client.connect(transport);
      const tools = (await client.listTools()).tools;
      const place = tools.find((t) => t.name === "place_call");
      expect(place?.annotations).toMatchObject({ destructiveHint: true, openWorldHint: true });

      const result = (await client.callTool({
        name: "place_call_and_wait",
        arguments: { to: "+12125550100", task: "Greet them and hang up." },
      })) as { isError?: boolean; structuredContent?: Record<string, unknown> };
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ status: "completed", still_running: false });
      expect(JSON.stringify(result)).not.toContain("clawcall_sk_");

      // An access token gone stale: the SDK refreshes with the refresh token and carries on.
      const before = provider.saved!;
      provider.saved = { ...before, access_token: "clawcall_at_expired" };
      const balance = (await client.callTool({ name: "get_balance", arguments: {} })) as {
        isError?: boolean;
      };
      expect(balance.isError).toBeFalsy();
      expect(provider.saved.refresh_token).not.toBe(before.refresh_token);
      await client.close();

      const revoke = await service.request("POST", "/oauth/revoke", {
        raw: new URLSearchParams({ token: provider.saved.access_token }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(revoke.status).toBe(200);
      const after = await service.request("POST", "/mcp", {
        headers: {
          authorization: `Bearer ${provider.saved.access_token}`,
          accept: "application/json, text/event-stream",
        },
        body: { jsonrpc: "2.0", id: 1, method: "ping" },
      });
      expect(after.status).toBe(401);
    } finally {
      await browser.close();
      await catcher.close();
    }
  });
});
