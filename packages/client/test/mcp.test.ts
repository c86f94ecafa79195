import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpServer } from "../src/mcp/server.ts";
import { ClawCall } from "../src/sdk/client.ts";
import { KeyStore } from "../src/sdk/key-store.ts";
import { CLI_BIN, type Sandbox, startSandbox, tempHome } from "./harness.ts";

let sandbox: Sandbox;
let home: Awaited<ReturnType<typeof tempHome>>;

beforeAll(async () => {
  sandbox = await startSandbox();
  home = await tempHome();
});
afterAll(async () => {
  await sandbox?.close();
  await home?.cleanup();
});

type ToolResult = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { text?: string }[];
};

describe("MCP server over the in-memory pair", () => {
  let client: Client;
  let sdk: ClawCall;

  beforeAll(async () => {
    sdk = new ClawCall({
      baseUrl: sandbox.url,
      keyStore: new KeyStore({ path: home.keyPath }),
      pollIntervalMs: 200,
    });
    const server = createMcpServer(sdk, { now: () => new Date("2026-03-04T17:00:00Z") });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: "test", version: "0.0.0" });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  });
  afterAll(async () => {
    await client?.close();
  });

  it("lists every tool with schemas and honest annotations", async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(
      [
        "get_account_link",
        "get_balance",
        "get_call",
        "get_local_time",
        "get_recording_link",
        "get_transcript",
        "hangup_call",
        "list_calls",
        "place_call",
        "place_call_and_wait",
      ].sort(),
    );
    for (const name of ["place_call", "place_call_and_wait"]) {
      expect(byName.get(name)?.annotations).toMatchObject({
        destructiveHint: true,
        idempotentHint: false,
        readOnlyHint: false,
      });
      expect(byName.get(name)?.inputSchema.required).toEqual(expect.arrayContaining(["to", "task"]));
    }
    for (const name of [
      "get_call",
      "get_transcript",
      "list_calls",
      "get_balance",
      "get_recording_link",
      "get_account_link",
    ]) {
      expect(byName.get(name)?.annotations?.readOnlyHint).toBe(true);
      expect(byName.get(name)?.outputSchema).toBeDefined();
    }
  });

  it("places a sandbox call and waits for it: a busy line comes back as failed/busy with a report", async () => {
    const result = (await client.callTool({
      name: "place_call_and_wait",
      arguments: { to: "+12125550101", task: "Ask whether they are open on Saturday." },
    })) as ToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      status: "failed",
      failReason: "busy",
      to: "+12125550101",
      still_running: false,
    });
    expect(result.structuredContent?.api_key).toBeUndefined();
    expect(result.structuredContent?.result).toMatchObject({ status: "not_reached" });
    expect(result.content[0]?.text).toMatch(
      /^Not reached: I called \+12125550101 and the line was busy\.\nBusy: called \+12125550101\./,
    );
  });

  it("places a call, then follows it with get_call, get_transcript and the other reads", async () => {
    const placed = (await client.callTool({
      name: "place_call",
      arguments: { to: "+12125550103", task: "Ask for the opening hours." },
    })) as ToolResult;
    const callId = placed.structuredContent?.call_id as string;
    expect(placed.structuredContent?.status).toBe("queued");
    let view: Record<string, unknown> | undefined;
    for (let i = 0; i < 50; i++) {
      view = ((await client.callTool({ name: "get_call", arguments: { call_id: callId } })) as ToolResult)
        .structuredContent;
      if (view?.still_running === false) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(view).toMatchObject({ status: "failed", failReason: "call_rejected" });
    const transcript = (await client.callTool({
      name: "get_transcript",
      arguments: { call_id: callId },
    })) as ToolResult;
    expect(transcript.structuredContent).toMatchObject({ call_id: callId, status: "failed" });
    const recording = (await client.callTool({
      name: "get_recording_link",
      arguments: { call_id: callId },
    })) as ToolResult;
    expect(recording.structuredContent).toEqual({ call_id: callId, recording_url: null });
    const list = (await client.callTool({ name: "list_calls", arguments: { limit: 1 } })) as ToolResult;
    expect(list.structuredContent?.calls).toHaveLength(1);
    expect(list.structuredContent?.has_more).toBe(true);
    const balance = (await client.callTool({ name: "get_balance", arguments: {} })) as ToolResult;
    expect(balance.structuredContent).toMatchObject({ tier: "free", low_balance: false });
    const key = (await sdk.apiKey())?.key ?? "";
    const links = (await client.callTool({ name: "get_account_link", arguments: {} })) as ToolResult;
    expect(links.structuredContent?.sign_up_url).toBe(`${sandbox.url}/signup?token=${key}`);
    const hangup = (await client.callTool({
      name: "hangup_call",
      arguments: { call_id: callId },
    })) as ToolResult;
    expect(hangup.isError).toBeFalsy();
  });

  it("tells the callee's local time before a call", async () => {
    const result = (await client.callTool({
      name: "get_local_time",
      arguments: { to: "+14155550100" },
    })) as ToolResult;
    // The server's clock is pinned to Wednesday 17:00 UTC: 9 AM in San Francisco.
    expect(result.structuredContent).toMatchObject({
      time_zone: "America/Los_Angeles",
      local_time: "9:00 AM",
      outside_business_hours: false,
      warning: null,
    });
  });

  it("returns API errors as tool errors with the code and no key", async () => {
    const result = (await client.callTool({
      name: "place_call",
      arguments: { to: "+19115550100", task: "x" },
    })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toContain("unsupported_destination");
    const missing = (await client.callTool({
      name: "get_call",
      arguments: { call_id: "nope" },
    })) as ToolResult;
    expect(missing.isError).toBe(true);
    expect(missing.content[0]?.text).toContain("not_found");
  });
});

describe("`clawcall mcp` on stdio", () => {
  it("serves the same tools and places a sandbox call with the CLI's key file", async () => {
    const stdioHome = await tempHome();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_BIN, "mcp"],
      env: { ...stdioHome.env, PATH: process.env.PATH ?? "", CLAWCALL_BASE_URL: sandbox.url },
      stderr: "pipe",
    });
    const client = new Client({ name: "stdio-test", version: "0.0.0" });
    try {
      await client.connect(transport);
      const result = (await client.callTool({
        name: "place_call_and_wait",
        arguments: { to: "+12125550104", task: "Ask for the opening hours." },
      })) as ToolResult;
      expect(result.structuredContent).toMatchObject({ status: "failed", failReason: "invalid_number" });
      const saved = await new KeyStore({ path: stdioHome.keyPath }).load();
      expect(saved?.api_key).toMatch(/^clawcall_sk_/);
    } finally {
      await client.close();
      await stdioHome.cleanup();
    }
  });
});
