import type { SandboxVerdict } from "@clawcall/contract";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createVoiceAgentEngine, type VoiceAgentEngine } from "../../src/agent/voice-agent-engine.ts";
import { OpenAiLlm } from "../../src/providers/llm/openai-llm.ts";
import type { CalleeFactory } from "../../src/sandbox/network.ts";
import { startSandboxCallee } from "../../src/sandbox/personas/index.ts";
import { FliteSynth } from "../../src/sandbox/speech/flite.ts";
import { FliteTts } from "../../src/sandbox/speech/flite-tts.ts";
import { createSandboxSpeech, type SandboxSpeech } from "../../src/sandbox/speech/sandbox-speech.ts";
import { decodeClientState } from "../../src/telephony/telnyx/client-state.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/index.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import { FAST_ENV, startTelnyxTestService, type TestService } from "../helpers/service.ts";
import { startTelnyxEmulator, type TelnyxEmulator } from "../telnyx-emulator/emulator.ts";
import { calleesFromSandbox } from "../telnyx-emulator/sandbox-callees.ts";
import { type Call, ScenarioCalls, scenarioChecks } from "./scenario-checks.ts";
import { scriptedAgentModel } from "./scripted-model.ts";

/**
 * The sandbox scenarios again, this time through the Telnyx adapter: the personas answer at the
 * emulator and are heard over its media stream, with the agent built the way production builds it.
 */
describeWith(SHARED_SPECS, "sandbox scenarios through the Telnyx adapter and the emulator", () => {
  let llm: FakeOpenAi | undefined;
  let speech: SandboxSpeech | undefined;
  let synth: FliteSynth | undefined;
  let engine: VoiceAgentEngine | undefined;
  let emulator: TelnyxEmulator | undefined;
  let service: TestService | undefined;
  const calls = new ScenarioCalls(() => service!);
  /** What each persona did, by the emulated call it answered. */
  const verdicts = new Map<string, SandboxVerdict>();
  /** The emulator's legs of one of the service's calls. */
  const legsOf = (call: Call) =>
    [...emulator!.calls.values()].filter((c) => decodeClientState(c.body.client_state)?.callId === call.id);

  beforeAll(async () => {
    llm = await startFakeOpenAi();
    llm.chat.setDefault(scriptedAgentModel);
    const sandboxSpeech = createSandboxSpeech({ cacheDir: FAST_ENV["CLAWCALL_SANDBOX_SPEECH_CACHE"] });
    speech = sandboxSpeech;
    const personas: CalleeFactory = {
      spokenText: sandboxSpeech.spokenText,
      start: (line, media, controls) =>
        startSandboxCallee(line ?? "generic", media, controls, {
          speech: sandboxSpeech.speech,
          // Lets the person a transfer joins learn the callee's words, and the callee theirs.
          spokenText: sandboxSpeech.spokenText,
          holdSeconds: 6,
        }),
    };
    emulator = await startTelnyxEmulator({
      apiKey: "KEYtest",
      // Rings and an unanswered handoff take as long as on the direct sandbox (ring 0.3 s, six rings).
      timings: { ringMs: 300, noAnswerMs: 1800, dropAfterMs: 600 },
      channelLimit: 20,
      calleeFactory: calleesFromSandbox(personas, {
        onVerdict: (callControlId, verdict) => verdicts.set(callControlId, verdict),
      }),
    });
    synth = new FliteSynth();
    engine = createVoiceAgentEngine({
      stt: sandboxSpeech.stt,
      llm: new OpenAiLlm({ apiKey: "sk-test", baseUrl: llm.url, model: "gpt-4o-mini" }),
      tts: new FliteTts(synth),
      spokenText: sandboxSpeech.spokenText,
    });
    service = await startTelnyxTestService(emulator, { engine, apiKey: "KEYtest", callerNumbers: 14 });
  });
  afterAll(async () => {
    // Each step runs even if an earlier one fails, so a broken run leaves nothing listening.
    await Promise.allSettled([service?.dispose()]);
    await Promise.allSettled([emulator?.close()]);
    await Promise.allSettled([engine?.close(), speech?.close(), synth?.close(), llm?.close()]);
  });

  scenarioChecks({
    calls,
    llm: () => llm!,
    service: () => service!,
    // The persona reports when its media closes, which may come just after the call is final.
    verdict: (call) =>
      vi.waitFor(
        () => {
          const verdict = legsOf(call)
            .map((leg) => verdicts.get(leg.callControlId))
            .find((v) => v !== undefined);
          expect(verdict).toBeDefined();
          return verdict;
        },
        { timeout: 5000, interval: 50 },
      ),
    recording: {
      name: "the link Telnyx saved it under",
      async check(call) {
        expect(call.recordingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/recordings\/.+\.mp3$/);
        const audio = await fetch(call.recordingUrl);
        expect(audio.status).toBe(200);
        expect(audio.headers.get("content-type")).toBe("audio/mpeg");
      },
    },
    async bridged(call, to) {
      // The bridge went through Telnyx's transfer of this call's own leg.
      const legs = legsOf(call);
      const transfers = emulator!.requests.filter(
        (r) => r.operationId === "TransferCall" && legs.some((l) => l.callControlId === r.callControlId),
      );
      expect(transfers.map((r) => (r.body as { to: string }).to)).toEqual([to]);
      if (!to.endsWith("0112")) return;
      // Once the agent left, the person the transfer joined greeted the callee, heard it, and talked back.
      const joined = legs.flatMap((l) => (l.bridgeLeg ? [l.bridgeLeg.callControlId] : []));
      await vi.waitFor(
        () =>
          expect(joined.map((id) => verdicts.get(id)?.actions)).toEqual([
            // At this short ring the user may join while the callee still says it will hold.
            [{ action: "talked", heard: expect.stringMatching(/\w/) }],
          ]),
        { timeout: 5000, interval: 50 },
      );
    },
  });

  it("no request or webhook broke Telnyx's spec", () => {
    expect(emulator!.violations).toEqual([]);
  });
});
