import { describe, expect, it } from "vitest";
import type { LLM } from "../providers/llm/llm.ts";
import type { STT, SttCapabilities } from "../providers/stt/stt.ts";
import type { TTS } from "../providers/tts/tts.ts";
import { createVoiceAgentEngine } from "./voice-agent-engine.ts";

const stt = (capabilities: Partial<SttCapabilities>): STT => ({
  name: "fake-stt",
  capabilities: {
    streaming: true,
    interimResults: false,
    inputEncodings: ["mulaw"],
    sampleRates: [8000],
    ...capabilities,
  },
  open: () => Promise.reject(new Error("not opened in these tests")),
});
const llm = (tools: boolean): LLM => ({
  name: "fake-llm",
  capabilities: { streaming: true, tools },
  async *stream() {},
});
const tts: TTS = {
  name: "fake-tts",
  capabilities: { streaming: true, outputFormats: ["mulaw_8000"] },
  async *synthesize() {},
};

describe("the voice agent engine reads what its providers can do", () => {
  it("holds calls when the recogniser takes 8 kHz mu-law and the model calls tools", () => {
    expect(createVoiceAgentEngine({ stt: stt({}), llm: llm(true), tts }).unavailableReason()).toBeNull();
  });

  it("says why when the recogniser cannot take the line's audio", () => {
    const wideband = createVoiceAgentEngine({ stt: stt({ sampleRates: [16000] }), llm: llm(true), tts });
    expect(wideband.unavailableReason()).toMatch(/fake-stt.*8 kHz mu-law/);
    const linear = createVoiceAgentEngine({
      stt: stt({ inputEncodings: ["linear16"] }),
      llm: llm(true),
      tts,
    });
    expect(linear.unavailableReason()).toMatch(/mu-law/);
  });

  it("says why when the model cannot call tools", () => {
    expect(createVoiceAgentEngine({ stt: stt({}), llm: llm(false), tts }).unavailableReason()).toMatch(
      /fake-llm.*cannot call tools/,
    );
  });
});
