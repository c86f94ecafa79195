import type { TranscriptEntry } from "@clawcall/contract";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MediaStream } from "../media/media-stream.ts";
import type { Logger } from "../observability/logger.ts";
import { type ActiveCall, newActiveCall } from "./active-call.ts";
import type { AnsweredCall, ConversationEngine, ConversationResult } from "./conversation.ts";
import { type ConversationHost, STOP_GRACE_MS, startConversation } from "./conversation-runner.ts";
import type { EndInfo } from "./outcomes.ts";

const activeCall = (): ActiveCall =>
  newActiveCall({
    id: "c1",
    keyId: "k",
    wallet: "w",
    from: "+12125550199",
    request: { to: "+12125550100", task: "Confirm." },
    bridgeNumber: null,
    budgetSeconds: 600,
    answeredAtMs: 0,
    answeredBy: "human",
  });

const stream: MediaStream = { attach() {}, send() {}, mark() {}, clear() {}, close() {} };
const quiet = { error() {}, warn() {}, info() {} } as unknown as Logger;

/** A host that records how the call was ended, the way the call service would be asked. */
function host(engine: ConversationEngine, call: ActiveCall) {
  const finalized: EndInfo[] = [];
  const lines: TranscriptEntry[] = [];
  let finish = () => {};
  const done = new Promise<void>((r) => (finish = r));
  const decide = async (info: EndInfo, byAgent: boolean) => {
    if (call.pendingEnd === null) {
      call.pendingEnd = info;
      call.endedByAgent = byAgent;
    }
    call.controller.abort();
  };
  const h: ConversationHost = {
    engine,
    logger: quiet,
    carrier: { sendDigits: async () => {}, bridge: async () => ({ ok: true }) },
    pool: { acquire: async () => null, release: async () => {} },
    recordHandoff: async () => {},
    endBySystem: (_, info) => decide(info, false),
    endByAgent: (_, info) => decide(info, true),
    async finalizeConversation(_, info) {
      finalized.push(info);
      finish();
    },
    async appendTranscript(_, entry) {
      lines.push({ ...entry, timestamp: "t" });
    },
    recordLatency: async () => {},
    transcript: async () => lines,
  };
  return { h, finalized, lines, done };
}

const engineOf = (run: (call: AnsweredCall) => Promise<ConversationResult>): ConversationEngine => ({
  unavailableReason: () => null,
  run,
});

describe("a conversation's call is finalized by its runner", () => {
  afterEach(() => vi.useRealTimers());

  it("after the conversation stopped, with the first end decided and what came of the call", async () => {
    const call = activeCall();
    const engine = engineOf(async (c) => {
      c.appendTranscript({ role: "assistant", text: "Hello." });
      await new Promise((r) => c.signal.addEventListener("abort", r));
      c.appendTranscript({ role: "assistant", text: "Goodbye." });
      return { endReason: "done", result: null, resultUnavailable: "no model" };
    });
    const { h, finalized, lines, done } = host(engine, call);
    startConversation(h, call, stream);
    await h.endBySystem(call.id, { cause: "max_duration", source: "system", answered: true });
    await h.endBySystem(call.id, { cause: "normal", source: "callee", answered: true });
    await done;
    expect(finalized).toEqual([{ cause: "max_duration", source: "system", answered: true }]);
    expect(lines.map((l) => l.text)).toEqual(["Hello.", "Goodbye."]);
    expect(call.report).toEqual({ result: null, unavailable: "no model" });
  });

  it("with the agent's own account of why it hung up, over the plain hang-up", async () => {
    const call = activeCall();
    const engine = engineOf(async (c) => {
      await c.hangup();
      return { endReason: "failed", end: { cause: "agent_failed", message: "The model failed." } };
    });
    const { h, finalized, done } = host(engine, call);
    startConversation(h, call, stream);
    await done;
    expect(finalized).toEqual([
      { cause: "agent_failed", source: "system", answered: true, message: "The model failed." },
    ]);
  });

  it("without the conversation, a short grace after the call ended, when the agent does not stop", async () => {
    vi.useFakeTimers();
    const call = activeCall();
    const { h, finalized, done } = host(
      engineOf(() => new Promise(() => {})),
      call,
    );
    startConversation(h, call, stream);
    await h.endBySystem(call.id, { cause: "normal", source: "callee", answered: true });
    await vi.advanceTimersByTimeAsync(STOP_GRACE_MS - 1);
    expect(finalized).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(finalized).toEqual([{ cause: "normal", source: "callee", answered: true }]);
    expect(call.report?.result).toBeNull();
    expect(call.report?.unavailable).toMatch(/did not finish/);
  });
});
