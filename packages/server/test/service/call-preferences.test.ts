import { CallPreferencesSchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.ts";

describe("GET|PUT|DELETE /me/call-preferences, applied to calls that omit those fields", () => {
  let service: TestService;
  let key: string;
  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "10" });
    const first = await service.request("POST", "/call", { body: { to: "+12125550102", task: "Say hi." } });
    key = first.body.api_key;
  });
  afterAll(() => service.dispose());

  const put = (body: unknown, k = key) => service.request("PUT", "/me/call-preferences", { key: k, body });
  const place = async (extra: Record<string, unknown> = {}) => {
    const res = await service.request("POST", "/call", {
      key,
      body: { to: "+12125550102", task: "Ask about opening hours.", ...extra },
    });
    expect(res.status).toBe(201);
    return (await service.request("GET", `/call/${res.body.call_id}`, { key })).body;
  };

  it("starts unconfigured, saves a set, and the next call that omits them uses it", async () => {
    const empty = CallPreferencesSchema.parse(
      (await service.request("GET", "/me/call-preferences", { key })).body,
    );
    expect(empty).toMatchObject({ configured: false, voice: null, personality: null, greeting: null });

    const saved = await put({
      voice: "eric",
      personality: "Sam, Jordan Lee's assistant.",
      greeting: "Hi, this is Sam for Jordan Lee.",
      warm_greeting: "Jordan, they're on the line about the refund.",
    });
    expect(saved.status).toBe(200);
    expect(CallPreferencesSchema.parse(saved.body)).toMatchObject({
      configured: true,
      voice: "eric",
      api_key: key,
    });
    expect((await service.request("GET", "/me/call-preferences", { key })).body).toEqual(saved.body);

    const call = await place();
    expect(call).toMatchObject({
      voice: "eric",
      personality: "Sam, Jordan Lee's assistant.",
      greeting: "Hi, this is Sam for Jordan Lee.",
    });
  });

  it("lets the request's own fields win over the preferences", async () => {
    await put({ voice: "eric", personality: "Sam.", greeting: "Hi from Sam." });
    const call = await place({ voice: "sarah", greeting: "Hello there." });
    expect(call).toMatchObject({ voice: "sarah", greeting: "Hello there.", personality: "Sam." });
  });

  it("replaces the whole set on PUT and resets it on DELETE", async () => {
    await put({ voice: "chris", personality: "Pat." });
    const replaced = await put({ voice: "sarah" });
    expect(replaced.body).toMatchObject({ voice: "sarah", personality: null, configured: true });

    const deleted = await service.request("DELETE", "/me/call-preferences", { key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ configured: false, voice: null });
    const call = await place();
    expect(call).toMatchObject({ voice: "jessica", personality: null, greeting: null });
  });

  it.each([
    ["an unknown voice", { voice: "Jessica" }],
    ["a number for personality", { personality: 7 }],
    ["an over-long greeting", { greeting: "x".repeat(2001) }],
    ["an unknown field", { tone: "warm" }],
    ["an inbound profile", { inbound: { instructions: "Answer calls." } }],
  ])("refuses %s with invalid_preferences and keeps what was saved", async (_name, body) => {
    await put({ voice: "chris" });
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_preferences");
    expect((await service.request("GET", "/me/call-preferences", { key })).body.voice).toBe("chris");
  });

  it("refuses a body that is not a JSON object, and asks for a key", async () => {
    const res = await service.request("PUT", "/me/call-preferences", {
      key,
      raw: "[1]",
      headers: { "content-type": "application/json" },
    });
    expect(res.body.error.code).toBe("invalid_json");
    const none = await service.request("GET", "/me/call-preferences");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("auth_required");
  });

  it("is described in /openapi.json", async () => {
    const doc = (await service.request("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths["/me/call-preferences"])).toEqual(["get", "put", "delete"]);
    expect(doc.components.schemas.CallPreferencesInput.properties.voice).toBeDefined();
  });

  it("keeps one key's preferences from another key", async () => {
    await put({ voice: "chris", personality: "Pat." });
    const other = await service.request("POST", "/call", { body: { to: "+12125550102", task: "Say hi." } });
    const theirs = await service.request("GET", "/me/call-preferences", { key: other.body.api_key });
    expect(theirs.body).toMatchObject({ configured: false, voice: null });
    const call = await service.request("GET", `/call/${other.body.call_id}`, { key: other.body.api_key });
    expect(call.body.voice).toBe("jessica");
  });
});
