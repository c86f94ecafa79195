import type { VoiceAgentSettingsInput } from "../../src/agent/settings.ts";
import { createVoiceAgentEngine } from "../../src/agent/voice-agent-engine.ts";
import type { ConversationResult } from "../../src/calls/conversation.ts";
import type { LlmMessage } from "../../src/providers/llm/llm.ts";
import {
  FakeCallee,
  type FakeCallOptions,
  FakeStt,
  fakeAnsweredCall,
  ScriptedLlm,
  type ScriptedReply,
  ToneTts,
} from "./fakes.ts";

export interface Scenario extends FakeCallOptions {
  script: (messages: readonly LlmMessage[], index: number) => ScriptedReply;
  settings?: VoiceAgentSettingsInput;
  /** How long after the callee's last sound the recogniser gives its words. */
  sttFinalMs?: number;
}

/** Short timers so scenarios run in seconds; the audio itself is real-time. */
export const TEST_SETTINGS: VoiceAgentSettingsInput = {
  openingWaitMs: 400,
  silentLineMs: 60_000,
  tickMs: 40,
  voicemailQuietMs: 1500,
};

/** Starts an answered call on a sandbox line with fake providers and the real engine. */
export function startCall(scenario: Scenario) {
  const stt = new FakeStt(scenario.sttFinalMs ?? 150);
  const llm = new ScriptedLlm(scenario.script, 120, 80);
  const tts = new ToneTts(60, 30);
  const fake = fakeAnsweredCall(scenario);
  const callee = new FakeCallee(fake.pair, stt);
  const engine = createVoiceAgentEngine({
    stt,
    llm,
    tts,
    settings: { ...TEST_SETTINGS, ...scenario.settings },
  });
  engine.prepare?.(fake.call.callId, fake.call.request);
  const result: Promise<ConversationResult> = engine.run(fake.call);
  return {
    stt,
    llm,
    tts,
    fake,
    callee,
    engine,
    result,
    transcript: fake.transcript,
    async finish() {
      fake.dispose();
      await result.catch(() => {});
      await engine.close();
    },
  };
}

/** The last user message the model was given. */
export function lastUserText(messages: readonly LlmMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "user") return m.content;
  }
  return "";
}

export const lastMessage = (messages: readonly LlmMessage[]) => messages[messages.length - 1];
