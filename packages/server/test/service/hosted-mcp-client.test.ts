import { API_KEY_PATTERN } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationEngine } from "../../src/calls/conversation.ts";
import {
  balanceFromHeaders,
  expectEnvelope,
  expectNoKey,
  type HostedAnswer,
  hostedRequest,
  presentedCall,
  presentedError,
} from "../helpers/hosted-mcp-wire.ts";
import { ListeningEngine } from "../helpers/listening-engine.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const LINES = [
  {
    role: "assistant" as const,
    text: "Hi, this is an AI assistant calling for Jordan. The call is recorded.",
  },
  { role: "user" as const, text: "Sure, Tuesday at two works." },
];
/** Calls whose task starts with this stay on the line until hung up; the others talk briefly and end. */
const STAY = "Stay on the line.";
const TO = "+12125550100";
/** The client's own check lets this through (+1, area code 2-9); ours refuses its exchange starting with 1. */
const BAD_EXCHANGE = "+12121550100";
const UNKNOWN_CALL = "00000000-0000-4000-8000-000000000000";

/**
 * The hosted service's MCP client, unchanged, with CLAWCALL_BASE_URL and CLAWCALL_FRONTEND_URL pointed at
 * this service: each of its ten tools gets a working answer, read the way that client reads it.
 */
describe("the hosted service's MCP client, pointed at this service", () => {
  let service: TestService;
  let base: string;
  const brief = new ListeningEngine({ talkSeconds: 0.4, lines: LINES });
  const lingering = new ListeningEngine({ lines: LINES });
  const engine: ConversationEngine = {
    unavailableReason: () => null,
    run: (call) => (call.request.task.startsWith(STAY) ? lingering : brief).run(call),
  };

  beforeAll(async () => {
    service = await startTestService({}, { engine });
    base = service.url;
  });
  afterAll(() => service.dispose());

  /** What place_call sends, keyless the first time; the key it saves comes from the body or the header. */
  const place = (body: Record<string, unknown>, key?: string) =>
    hostedRequest(base, "/call", { method: "POST", body, key });
  const placeAnonymously = async (task = "Confirm Jordan's appointment on Tuesday.") => {
    const res = await place({ to: TO, task });
    expect(res.status).toBe(201);
    const key = (res.json.api_key ?? res.headers.get("x-clawcall-api-key")) as string;
    return { key, callId: (res.json.id ?? res.json.call_id) as string };
  };
  /** place_call_and_wait's loop: GET /call/{id} every 3 s until `lifecycle` is `finalized`. */
  const waitFinalized = async (key: string, callId: string, intervalMs = 3_000): Promise<HostedAnswer> => {
    for (let polls = 0; polls < 40; polls++) {
      const res = await hostedRequest(base, `/call/${encodeURIComponent(callId)}`, { key });
      expect(res.status).toBe(200);
      if (res.json.lifecycle === "finalized") return res;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    throw new Error(`call ${callId} never finalized`);
  };

  // place_call reads `id` (or else `call_id`) as the call's id and `message`; on the first, keyless call
  // it saves the key from the body's `api_key` or else the `X-ClawCall-Api-Key` header, then sends it.
  it("place_call: a keyless call is queued with an id and a key to save, and the saved key is used after", async () => {
    const first = await place({
      to: TO,
      task: "Confirm Jordan's appointment on Tuesday.",
      voice: "sarah",
      personality: "Alex, Jordan's assistant.",
      greeting: "Hi, calling for Jordan.",
    });
    expect(first.status).toBe(201);
    expect(typeof first.json.id).toBe("string");
    expect(first.json.call_id).toBe(first.json.id);
    expect(typeof first.json.message).toBe("string");
    const saved = first.json.api_key as string;
    expect(saved).toMatch(API_KEY_PATTERN);
    expect(first.headers.get("x-clawcall-api-key")).toBe(saved);

    const second = await place({ to: TO, task: "Confirm Jordan's appointment on Tuesday." }, saved);
    expect(second.status).toBe(201);
    expect(second.json.id).not.toBe(first.json.id);
    expect(second.headers.get("x-clawcall-api-key")).toBeNull();
    await waitFinalized(saved, first.json.id, 200);
    await waitFinalized(saved, second.json.id, 200);
  });

  it("place_call: refusals come in the envelope it names, and an unknown key is one it forgets", async () => {
    const { key } = await placeAnonymously();
    const bad = await place({ to: BAD_EXCHANGE, task: "Say hello." }, key);
    expectEnvelope(bad, 400, "invalid_phone");
    expectNoKey(presentedError(bad), key);
    expectEnvelope(
      await place({ to: TO, task: "Say hello." }, `${key.slice(0, -4)}AAAA`),
      401,
      "invalid_api_key",
    );
  });

  // place_call_and_wait places as place_call does, polls GET /call/{id} every 3 s reading `lifecycle`, and
  // shows the finalized call as get_call does (plus `call_id`); a 401/404 envelope ends the wait.
  it("place_call_and_wait: the call finalizes and its view carries the outcome, transcript and recording", async () => {
    const { key, callId } = await placeAnonymously();
    const final = await waitFinalized(key, callId);
    const view = presentedCall(final);
    expect(view).toMatchObject({
      id: callId,
      direction: "outbound",
      lifecycle: "finalized",
      outcome: "answered",
      transcript_available: true,
      tier: "free",
    });
    expect(view.balance_seconds).toBe(final.json._meta.balance_seconds);
    expect(typeof view.talk_seconds).toBe("number");
    expect(view.recording_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/recordings\//);
    const detail = view.outcome_detail as Record<string, unknown>;
    for (const field of ["hangup_cause", "sip_hangup_cause", "hangup_source"]) {
      expect(detail[field] === null || typeof detail[field] === "string", field).toBe(true);
    }
    expect(detail.hangup_cause).toBe("normal_clearing");
    expectNoKey(view, key);
  });

  // get_call reads `id`, `direction`, `lifecycle` (only `finalized` is final), `timestamps` (queued_at,
  // dialing_at, answered_at, finalized_at), the transcript's lines (`role`, `text` as a string) for its
  // tail, the balance seconds and tier headers, and once finalized `outcome`, `outcome_detail`,
  // `talk_seconds` and `recording_url`.
  it("get_call: a running call shows a live lifecycle and transcript, then its final view", async () => {
    const { key, callId } = await placeAnonymously(`${STAY} Wait for them.`);
    let running: HostedAnswer | undefined;
    for (let i = 0; i < 400 && running?.json.lifecycle !== "answered"; i++) {
      running = await hostedRequest(base, `/call/${encodeURIComponent(callId)}`, { key });
      expect(running.status).toBe(200);
      if (running.json.lifecycle !== "answered") await new Promise((r) => setTimeout(r, 25));
    }
    if (!running) throw new Error("never polled");
    const live = presentedCall(running);
    expect(live).toMatchObject({ id: callId, direction: "outbound", lifecycle: "answered", tier: "free" });
    expect(live).not.toHaveProperty("outcome");
    expect(typeof live.balance_seconds).toBe("number");
    const ts = live.timestamps as Record<string, string | null>;
    expect(Number.isNaN(Date.parse(ts.queued_at ?? ""))).toBe(false);
    expect(Number.isNaN(Date.parse(ts.answered_at ?? ""))).toBe(false);
    expect(ts.finalized_at).toBeNull();
    expect(live.transcript_tail).toEqual(
      LINES.map((l) =>
        expect.objectContaining({ role: l.role, text: l.text, timestamp: expect.any(String) }),
      ),
    );
    expectNoKey(live, key);

    expect((await hostedRequest(base, `/call/${callId}/hangup`, { method: "POST", key })).status).toBe(200);
    const final = presentedCall(await waitFinalized(key, callId, 100));
    expect(final).toMatchObject({ lifecycle: "finalized", outcome: "answered" });
    expect(Number.isNaN(Date.parse((final.timestamps as Record<string, string>).finalized_at ?? ""))).toBe(
      false,
    );
  });

  it("get_call: an unknown call, another key's call and a missing key answer in the envelope", async () => {
    const mine = await placeAnonymously();
    const theirs = await placeAnonymously();
    expectEnvelope(await hostedRequest(base, `/call/${UNKNOWN_CALL}`, { key: mine.key }), 404, "not_found");
    expectEnvelope(
      await hostedRequest(base, `/call/${encodeURIComponent(theirs.callId)}`, { key: mine.key }),
      404,
      "not_found",
    );
    expectEnvelope(await hostedRequest(base, `/call/${mine.callId}`), 401, "auth_required");
  });

  // get_call_transcript reads only `transcript`, whole, as a list of lines (null read as none).
  it("get_call_transcript: the whole transcript, line by line, in order", async () => {
    const { key, callId } = await placeAnonymously();
    await waitFinalized(key, callId, 100);
    const res = await hostedRequest(base, `/call/${encodeURIComponent(callId)}`, { key });
    const transcript = res.json.transcript ?? [];
    expect(transcript.map((t: { role: string; text: string }) => [t.role, t.text])).toEqual(
      LINES.map((l) => [l.role, l.text]),
    );
    for (const t of transcript) expect(Number.isNaN(Date.parse(t.timestamp))).toBe(false);
  });

  // hangup_call POSTs /call/{id}/hangup with no body and reads `status` and `message`; a 409 or a
  // `conflict` code would be its "already ended", any other error is shown as is.
  it("hangup_call: ends a running call, says so again once ended, and names an unknown call", async () => {
    const { key, callId } = await placeAnonymously(`${STAY} Wait for them.`);
    const path = `/call/${encodeURIComponent(callId)}/hangup`;
    const first = await hostedRequest(base, path, { method: "POST", key });
    expect(first.status).toBe(200);
    expect(typeof first.json.status).toBe("string");
    expect(first.json.message.length).toBeGreaterThan(0);
    await waitFinalized(key, callId, 100);
    const again = await hostedRequest(base, path, { method: "POST", key });
    expect(again.status).toBe(200);
    expect(["completed", "failed"]).toContain(again.json.status);
    expect(again.json.message).toBe("The call had already ended.");
    expectEnvelope(
      await hostedRequest(base, `/call/${UNKNOWN_CALL}/hangup`, { method: "POST", key }),
      404,
      "not_found",
    );
  });

  // list_calls GETs /me/calls with `limit`, `direction` and `since` as given, and shows the whole body to
  // the model: `calls` and `recordingWindowMinutes`, whatever else is there too.
  it("list_calls: the history with its filters, and no key anywhere in what the model is shown", async () => {
    const { key, callId } = await placeAnonymously();
    const final = await waitFinalized(key, callId, 100);
    const plain = await hostedRequest(base, "/me/calls", { key });
    expect(plain.status).toBe(200);
    expect(plain.json.calls.map((c: { id: string }) => c.id)).toEqual([callId]);
    expect(plain.json.recordingWindowMinutes).toBe(10);
    expectNoKey(plain.json, key);

    const since = final.json.timestamps.finalized_at as string;
    const q = new URLSearchParams({ limit: "25", direction: "outbound", since });
    const filtered = await hostedRequest(base, `/me/calls?${q}`, { key });
    expect(filtered.status).toBe(200);
    expect(filtered.json.calls[0]).toMatchObject({
      id: callId,
      direction: "outbound",
      lifecycle: "finalized",
    });
    expect(filtered.json.calls[0].recording_url).toBeTruthy();
    expect(filtered.json.calls[0].recording_expired).toBe(false);
    expectNoKey(filtered.json, key);
    const inbound = await hostedRequest(base, "/me/calls?limit=200&direction=inbound", { key });
    expect(inbound.json.calls).toEqual([]);
    expectEnvelope(await hostedRequest(base, "/me/calls", { key: `${key}x` }), 401, "invalid_api_key");
  });

  // get_recording GETs /call/{id}/recording without following redirects and reads a 302's `Location` as
  // the link; anything else is an error from the envelope.
  it("get_recording: a 302 to a link that serves the audio within its window", async () => {
    const { key, callId } = await placeAnonymously();
    await waitFinalized(key, callId, 100);
    const res = await hostedRequest(base, `/call/${encodeURIComponent(callId)}/recording`, {
      key,
      manualRedirect: true,
    });
    expect(res.status).toBe(302);
    const link = res.headers.get("location") ?? "";
    expectNoKey(link, key);
    const audio = await fetch(link, { signal: AbortSignal.timeout(10_000) });
    expect(audio.status).toBe(200);
    const bytes = Buffer.from(await audio.arrayBuffer());
    const wav =
      bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString() === "WAVE";
    const mp3 =
      bytes.subarray(0, 3).toString("latin1") === "ID3" || (bytes[0] === 0xff && (bytes[1] ?? 0) >= 0xe0);
    expect(wav || mp3).toBe(true);
    expect(bytes.length).toBeGreaterThan(1_000);
  });

  it("get_recording: a running call's and an unknown call's recording answer in the envelope", async () => {
    const { key, callId } = await placeAnonymously(`${STAY} Wait for them.`);
    const running = await hostedRequest(base, `/call/${callId}/recording`, { key, manualRedirect: true });
    expectEnvelope(running, 404, "recording_not_available");
    await hostedRequest(base, `/call/${callId}/hangup`, { method: "POST", key });
    const unknown = await hostedRequest(base, `/call/${UNKNOWN_CALL}/recording`, {
      key,
      manualRedirect: true,
    });
    expectEnvelope(unknown, 404, "not_found");
    await waitFinalized(key, callId, 100);
  });

  // get_balance shows the model the balance seconds and tier from the headers with the whole body spread
  // over them.
  it("get_balance: seconds and tier, and never the key, in what the model is shown", async () => {
    const { key, callId } = await placeAnonymously();
    await waitFinalized(key, callId, 100);
    const res = await hostedRequest(base, "/balance", { key });
    expect(res.status).toBe(200);
    const shown = { ...balanceFromHeaders(res.headers), ...res.json };
    expect(shown).toMatchObject({ tier: "free", low_balance: false });
    expect(typeof shown.balance_seconds).toBe("number");
    expect(shown.balance_seconds).toBe(Number(res.headers.get("x-clawcall-balance-seconds")));
    expect(shown.balance_minutes).toBeCloseTo(shown.balance_seconds / 60, 1);
    expectNoKey(shown, key);
    // A client of the seed, which reads the key back from every response, still gets it.
    expect((await service.request("GET", "/balance", { key })).body.api_key).toBe(key);
    expectEnvelope(await hostedRequest(base, "/balance"), 401, "auth_required");
  });

  // get_account_link_url makes no request: it shows `<CLAWCALL_FRONTEND_URL>/sign-in?token=<saved key>`,
  // which must be a page here that links that key to the account signed in to.
  it("get_account_link_url: its link is the sign-in page, and signing in there links the key", async () => {
    const { key } = await placeAnonymously();
    const link = `${base}/sign-in?token=${key}`;
    const page = await fetch(link, { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`name="token" value="${key}"`);

    const other = await placeAnonymously();
    const account = { email: "jordan@example.test", password: "correct horse battery" };
    const form = (fields: Record<string, string>) => ({
      raw: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const signUp = await service.request(
      "POST",
      "/sign-up",
      form({ token: other.key, ...account, link: "yes" }),
    );
    expect(signUp.status).toBe(201);
    const signIn = await service.request("POST", "/sign-in", form({ token: key, ...account, link: "yes" }));
    expect(signIn.status).toBe(200);
    expect((await service.request("GET", "/me", { key })).body.email).toBe(account.email);
  });

  // set_api_key makes no request: it saves a key the user gives, which every later request then sends.
  it("set_api_key: a key the user gives is the one its next requests use, and a mistyped one is refused", async () => {
    const seedClient = await service.request("POST", "/call", { body: { to: TO, task: "Say hello." } });
    const given = seedClient.body.api_key as string;
    const res = await hostedRequest(base, `/call/${encodeURIComponent(seedClient.body.call_id)}`, {
      key: given,
    });
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(seedClient.body.call_id);
    await waitFinalized(given, seedClient.body.call_id, 100);
    expectEnvelope(
      await hostedRequest(base, "/balance", { key: `${given.slice(0, -1)}!` }),
      401,
      "invalid_api_key",
    );
  });
});

// On any refusal the client shows the model the envelope's `message`, then `action.url`, `action.sign_in_url`
// and `quota` as given; the links are personal (they carry the key) and meant to be passed on to the user.
describe("the hosted service's MCP client, out of free time", () => {
  it("place_call: quota_exceeded with the sign-up and sign-in links and the quota it passes on", async () => {
    const service = await startTestService(
      { CLAWCALL_FREE_SECONDS: "1" },
      { engine: new ListeningEngine({ talkSeconds: 1.2, lines: LINES }) },
    );
    try {
      const first = await hostedRequest(service.url, "/call", {
        method: "POST",
        body: { to: TO, task: "Hi." },
      });
      const key = first.json.api_key as string;
      for (let i = 0; i < 400; i++) {
        const res = await hostedRequest(service.url, `/call/${first.json.id}`, { key });
        if (res.json.lifecycle === "finalized") break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const refused = await hostedRequest(service.url, "/call", {
        method: "POST",
        key,
        body: { to: TO, task: "Hi." },
      });
      expectEnvelope(refused, 429, "quota_exceeded");
      const shown = presentedError(refused);
      expect(shown).toContain(` Link: ${service.url}/signup?token=`);
      expect(shown).toContain(` Sign-in: ${service.url}/signin?token=`);
      expect(refused.json.error.quota).toMatchObject({
        tier: "free",
        limit_seconds: 1,
        remaining_seconds: 0,
      });
      for (const link of [refused.json.error.action.url, refused.json.error.action.sign_in_url]) {
        const page = await fetch(link, { signal: AbortSignal.timeout(10_000) });
        expect(page.status).toBe(200);
        await page.text();
      }
    } finally {
      await service.dispose();
    }
  });
});
