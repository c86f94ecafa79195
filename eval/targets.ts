import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxReport, SandboxVerdict } from "@clawcall/contract";
import { createVoiceAgentEngine } from "../packages/server/src/agent/voice-agent-engine.ts";
import { type Env, loadConfig } from "../packages/server/src/config/config.ts";
import { createProviders } from "../packages/server/src/providers/index.ts";
import type { CalleeFactory } from "../packages/server/src/sandbox/network.ts";
import { startSandboxCallee } from "../packages/server/src/sandbox/personas/index.ts";
import { FliteSynth } from "../packages/server/src/sandbox/speech/flite.ts";
import { FliteTts } from "../packages/server/src/sandbox/speech/flite-tts.ts";
import { createSandboxSpeech } from "../packages/server/src/sandbox/speech/sandbox-speech.ts";
import { startService } from "../packages/server/src/service.ts";
import { decodeClientState } from "../packages/server/src/telephony/telnyx/client-state.ts";
import { freePort } from "../packages/server/test/helpers/service.ts";
import { startTelnyxEmulator } from "../packages/server/test/telnyx-emulator/emulator.ts";
import { calleesFromSandbox } from "../packages/server/test/telnyx-emulator/sandbox-callees.ts";

/** Where the evaluation's calls go: the service, and a way to read each call's callee verdict. */
export interface EvalTarget {
  url: string;
  carrier: string;
  /** The verdict of a final call (its id and parsed view). */
  verdictOf(callId: string, view: { _meta?: { sandbox?: SandboxReport } }): Promise<SandboxVerdict | null>;
  close(): Promise<void>;
}

/** Settings shared by both carriers: quiet, no request limits, rings and the hold queue shortened. */
function baseEnv(dataDir: string, modelEnv: Env): Env {
  return {
    ...modelEnv,
    PORT: "0",
    HOST: "127.0.0.1",
    CLAWCALL_LOG_LEVEL: "silent",
    CLAWCALL_DATA_DIR: dataDir,
    CLAWCALL_SANDBOX_RING_SECONDS: "1",
    CLAWCALL_SANDBOX_HOLD_SECONDS: "8",
    CLAWCALL_REQUESTS_PER_MINUTE: "100000",
    CLAWCALL_MINTS_PER_HOUR: "100000",
    // One client places every scenario's call, several at once.
    CLAWCALL_FREE_RINGING_PER_CLIENT: "100000",
    CLAWCALL_MAX_ACTIVE_CALLS_PER_KEY: "20",
    CLAWCALL_SANDBOX_SPEECH_CACHE: path.join(os.tmpdir(), "clawcall-eval-speech-cache"),
  };
}

/** The service on its own sandbox: the verdict is in the call's `_meta.sandbox`. */
export async function directSandbox(modelEnv: Env): Promise<EvalTarget> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "clawcall-eval-"));
  const service = await startService({ env: baseEnv(dataDir, modelEnv) });
  return {
    url: service.url,
    carrier: "the direct sandbox",
    verdictOf: async (_id, view) => view._meta?.sandbox?.verdict ?? null,
    async close() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The service on its Telnyx adapter against the Telnyx emulator (test code), whose callees are the same
 * personas; the agent is built as production builds it, with the sandbox's offline speech.
 */
export async function throughTelnyxEmulator(modelEnv: Env): Promise<EvalTarget> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "clawcall-eval-"));
  const speech = createSandboxSpeech({ cacheDir: path.join(os.tmpdir(), "clawcall-eval-speech-cache") });
  const verdicts = new Map<string, SandboxVerdict>();
  const personas: CalleeFactory = {
    spokenText: speech.spokenText,
    start: (line, media, controls) =>
      // The journal lets a party joined by a transfer learn the callee's words (and the callee theirs).
      startSandboxCallee(line ?? "generic", media, controls, {
        speech: speech.speech,
        spokenText: speech.spokenText,
        holdSeconds: 8,
      }),
  };
  const emulator = await startTelnyxEmulator({
    apiKey: "KEYeval",
    spec: null,
    timings: { ringMs: 1000, noAnswerMs: 6000, dropAfterMs: 2000 },
    channelLimit: 20,
    calleeFactory: calleesFromSandbox(personas, {
      onVerdict: (id, verdict) => verdicts.set(id, verdict),
    }),
  });
  const providers = await createProviders(loadConfig(modelEnv).providers);
  const synth = new FliteSynth();
  const engine = createVoiceAgentEngine({
    stt: speech.stt,
    llm: providers.llm,
    tts: new FliteTts(synth),
    spokenText: speech.spokenText,
  });
  const port = await freePort();
  const env: Env = {
    ...baseEnv(dataDir, modelEnv),
    PORT: String(port),
    CLAWCALL_PUBLIC_URL: `http://127.0.0.1:${port}`,
    CLAWCALL_CARRIER: "telnyx",
    TELNYX_API_KEY: "KEYeval",
    TELNYX_PUBLIC_KEY: emulator.publicKey,
    TELNYX_CONNECTION_ID: "1234567890",
    TELNYX_BASE_URL: emulator.apiBaseUrl,
    CLAWCALL_CALLER_NUMBERS: Array.from(
      { length: 12 },
      (_, i) => `+1312555${String(180 + i).padStart(4, "0")}`,
    ).join(","),
  };
  const service = await startService({ env, engine });
  return {
    url: service.url,
    carrier: "the Telnyx adapter and its emulator",
    async verdictOf(callId) {
      // The persona reports as its media closes, which may come just after the call is final.
      for (let waited = 0; waited < 5000; waited += 50) {
        for (const leg of emulator.calls.values()) {
          if (decodeClientState(leg.body.client_state)?.callId !== callId) continue;
          const verdict = verdicts.get(leg.callControlId);
          if (verdict) return verdict;
        }
        await sleep(50);
      }
      return null;
    },
    async close() {
      await Promise.allSettled([service.close()]);
      await Promise.allSettled([emulator.close()]);
      await Promise.allSettled([engine.close(), speech.close(), synth.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
