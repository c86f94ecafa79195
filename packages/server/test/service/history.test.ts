import { HistorySchema } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { pollUntilFinal, startTestService, type TestService } from "../helpers/service.ts";

const engine = () =>
  new ListeningEngine({ talkSeconds: 0.3, lines: [{ role: "assistant", text: "Hello." }] });

async function placeAndFinish(service: TestService, key: string | undefined, to: string) {
  const created = await service.request("POST", "/call", { key, body: { to, task: "Greet them." } });
  expect(created.status).toBe(201);
  const { call } = await pollUntilFinal(service, created.body.api_key, created.body.call_id);
  return { key: created.body.api_key as string, call };
}

describe("GET /me/calls: the later revision's history", () => {
  let service: TestService;
  let key: string;
  const finished: { call_id: string; timestamps: { finalized_at: string } }[] = [];
  beforeAll(async () => {
    service = await startTestService({}, { engine: engine() });
    const first = await placeAndFinish(service, undefined, "+12125550100");
    key = first.key;
    finished.push(first.call);
    for (const to of ["+13125550100", "+14155550100"])
      finished.push((await placeAndFinish(service, key, to)).call);
  });
  afterAll(() => service.dispose());

  it("lists the key's calls newest first in the later envelope, with each recording's window", async () => {
    const res = await service.request("GET", "/me/calls", { key });
    expect(res.status).toBe(200);
    const history = HistorySchema.parse(res.body);
    expect(history.calls.map((c) => c.id)).toEqual(finished.map((c) => c.call_id).reverse());
    expect(history.recordingWindowMinutes).toBe(10);
    expect(history.has_more).toBe(false);
    expect(history.api_key).toBe(key);
    for (const c of history.calls) {
      expect(c.recording_url).toBeTruthy();
      expect(c.recording_expired).toBe(false);
      const until = Date.parse(c.recording_available_until ?? "");
      expect(until).toBeGreaterThan(Date.parse(c.timestamps.finalized_at ?? ""));
    }
    // The seed-era list is unchanged beside it.
    const old = await service.request("GET", "/calls", { key });
    expect(old.body.calls).toHaveLength(3);
    expect(old.body).toHaveProperty("next_before");
  });

  it("keeps calls finalized at or after `since`, the boundary included", async () => {
    const middle = finished[1];
    if (!middle) throw new Error("no middle call");
    const at = middle.timestamps.finalized_at;
    const from = await service.request("GET", `/me/calls?since=${encodeURIComponent(at)}`, { key });
    expect(from.body.calls.map((c: { id: string }) => c.id)).toEqual([finished[2]?.call_id, middle.call_id]);
    const after = new Date(Date.parse(at) + 1).toISOString();
    const later = await service.request("GET", `/me/calls?since=${encodeURIComponent(after)}`, { key });
    expect(later.body.calls.map((c: { id: string }) => c.id)).toEqual([finished[2]?.call_id]);
    // An offset other than Z names the same instant.
    const shifted = at.replace("Z", "+00:00");
    const same = await service.request("GET", `/me/calls?since=${encodeURIComponent(shifted)}`, { key });
    expect(same.body.calls).toHaveLength(2);
  });

  it("pages with `limit` from 1 to 200 and says when more remain", async () => {
    const two = await service.request("GET", "/me/calls?limit=2", { key });
    expect(two.body.calls).toHaveLength(2);
    expect(two.body.has_more).toBe(true);
    const max = await service.request("GET", "/me/calls?limit=200", { key });
    expect(max.status).toBe(200);
    expect(max.body.calls).toHaveLength(3);
  });

  it("answers inbound with an empty list, since this service places only outbound calls", async () => {
    const inbound = await service.request("GET", "/me/calls?direction=inbound", { key });
    expect(inbound.status).toBe(200);
    expect(inbound.body.calls).toEqual([]);
    const outbound = await service.request("GET", "/me/calls?direction=outbound", { key });
    expect(outbound.body.calls).toHaveLength(3);
  });

  it.each([
    ["limit=0"],
    ["limit=201"],
    ["limit=ten"],
    ["direction=sideways"],
    ["since=yesterday"],
    ["since=2026-13-01T00:00:00Z"],
  ])("refuses %s with invalid_request", async (query) => {
    const res = await service.request("GET", `/me/calls?${query}`, { key });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });

  it("is described in /openapi.json from the contract's schema", async () => {
    const doc = (await service.request("GET", "/openapi.json")).body;
    const get = doc.paths["/me/calls"].get;
    const limit = get.parameters.find((p: { name: string }) => p.name === "limit");
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 200, default: 25 });
    expect(doc.components.schemas.History.required).toEqual(
      expect.arrayContaining(["calls", "recordingWindowMinutes"]),
    );
  });

  it("shows another key none of these calls, and asks for a key when none is sent", async () => {
    const other = await placeAndFinish(service, undefined, "+16465550100");
    const theirs = await service.request("GET", "/me/calls", { key: other.key });
    expect(theirs.body.calls.map((c: { id: string }) => c.id)).toEqual([other.call.call_id]);
    const none = await service.request("GET", "/me/calls");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("auth_required");
  });
});

describe("GET /me/calls after a recording's window", () => {
  it("marks the recording expired and drops its link", async () => {
    const service = await startTestService({ CLAWCALL_RECORDING_TTL_SECONDS: "1" }, { engine: engine() });
    try {
      const { key } = await placeAndFinish(service, undefined, "+17185550100");
      let call: {
        recording_url: string | null;
        recording_expired: boolean;
        recording_available_until: string;
      };
      for (;;) {
        const res = await service.request("GET", "/me/calls", { key });
        expect(res.body.recordingWindowMinutes).toBeCloseTo(1 / 60);
        call = res.body.calls[0];
        if (call.recording_expired) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(call.recording_url).toBeNull();
      expect(Date.parse(call.recording_available_until)).toBeLessThanOrEqual(Date.now());
    } finally {
      await service.dispose();
    }
  });
});
