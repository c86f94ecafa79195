import { describe, expect } from "vitest";
import { checkSignedWav, ScenarioCalls, scenarioChecks, scenarioService } from "./scenario-checks.ts";
import { scriptedAgentModel } from "./scripted-model.ts";

/**
 * Every conversational magic number, over real audio: flite voices, the agent hearing them through the
 * sandbox recogniser, speaking through flite, with a scripted model behind a fake OpenAI-compatible API.
 */
describe("sandbox scenarios with a scripted model", () => {
  const { llm, service } = scenarioService(scriptedAgentModel, {
    CLAWCALL_SANDBOX_RING_SECONDS: "0.3",
    CLAWCALL_SANDBOX_HOLD_SECONDS: "6",
  });
  const calls = new ScenarioCalls(service);

  scenarioChecks({
    calls,
    llm,
    service,
    recording: { name: "a signed WAV link while it lasts", check: checkSignedWav },
    verdict: async (call) => call._meta.sandbox?.verdict,
    bridged(call, to) {
      // Once the agent left, the person it connected greeted the callee, heard it, and talked back.
      if (to.endsWith("0112")) {
        expect(call._meta.sandbox?.bridged?.actions).toEqual([
          { action: "talked", heard: expect.stringMatching(/\w/) },
        ]);
      }
    },
  });
});
