import { afterAll, beforeAll, describe } from "vitest";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/index.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { checkSignedWav, ScenarioCalls, scenarioChecks } from "./scenario-checks.ts";
import { scriptedAgentModel } from "./scripted-model.ts";

/**
 * Every conversational magic number, over real audio: flite voices, the agent hearing them through the
 * sandbox recogniser, speaking through flite, with a scripted model behind a fake OpenAI-compatible API.
 */
describe("sandbox scenarios with a scripted model", () => {
  let llm: FakeOpenAi;
  let service: TestService;
  const calls = new ScenarioCalls(() => service);

  beforeAll(async () => {
    llm = await startFakeOpenAi();
    llm.chat.setDefault(scriptedAgentModel);
    service = await startTestService({
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: llm.url,
      CLAWCALL_SANDBOX_RING_SECONDS: "0.3",
      CLAWCALL_SANDBOX_HOLD_SECONDS: "6",
    });
  });
  afterAll(async () => {
    await service?.dispose();
    await llm?.close();
  });

  scenarioChecks({
    calls,
    llm: () => llm,
    service: () => service,
    recording: { name: "a signed WAV link while it lasts", check: checkSignedWav },
    verdict: async (call) => call._meta.sandbox?.verdict,
  });
});
