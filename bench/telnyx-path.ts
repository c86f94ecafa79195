/**
 * The Telnyx path as the benches drive it: the Telnyx emulator as the carrier, each call's callee a
 * BenchCallee, and the service's environment pointing at it and at the vendor fakes.
 */
import {
  startTelnyxEmulator,
  type TelnyxEmulator,
} from "../packages/server/test/telnyx-emulator/emulator.ts";
import { BenchCallee } from "./real-path-callee.ts";

/** The emulator; every call it answers gets a BenchCallee, pushed onto `callees`. */
export function startBenchCarrier(callees: BenchCallee[], channelLimit?: number): Promise<TelnyxEmulator> {
  return startTelnyxEmulator({
    apiKey: "KEYbench",
    spec: null,
    ...(channelLimit === undefined ? {} : { channelLimit }),
    timings: { ringMs: 1000 },
    calleeFactory: (ctx) => {
      const callee = new BenchCallee(ctx);
      callees.push(callee);
      return callee;
    },
  });
}

/** The service on the Telnyx adapter and the real OpenAI, Deepgram and ElevenLabs adapters. */
export function telnyxPathEnv(
  emulator: TelnyxEmulator,
  vendors: { openai: string; deepgram: string; elevenlabs: string },
  callerNumbers: readonly string[],
): Record<string, string> {
  return {
    CLAWCALL_CARRIER: "telnyx",
    TELNYX_API_KEY: "KEYbench",
    TELNYX_PUBLIC_KEY: emulator.publicKey,
    TELNYX_CONNECTION_ID: "1234567890",
    TELNYX_BASE_URL: emulator.apiBaseUrl,
    // Answering-machine detection would only add the emulator's detection time before the first turn.
    TELNYX_AMD: "disabled",
    CLAWCALL_CALLER_NUMBERS: callerNumbers.join(","),
    OPENAI_API_KEY: "sk-bench",
    OPENAI_BASE_URL: vendors.openai,
    CLAWCALL_LLM: "openai",
    DEEPGRAM_API_KEY: "dg-bench",
    DEEPGRAM_BASE_URL: vendors.deepgram,
    ELEVENLABS_API_KEY: "el-bench",
    ELEVENLABS_BASE_URL: vendors.elevenlabs,
  };
}
