/**
 * Vendor fakes for tests, scenarios and benchmarks: real servers on 127.0.0.1 with ephemeral ports that
 * speak each vendor's wire protocol. Each start function returns { url, close(), ...controls }; pass
 * `url` as the adapter's base URL.
 */
export { type FakeAnthropic, type FakeAnthropicOptions, startFakeAnthropic } from "./fake-anthropic.ts";
export {
  type FakeDeepgram,
  type FakeDeepgramOptions,
  type FakeDeepgramSession,
  startFakeDeepgram,
} from "./fake-deepgram.ts";
export { type FakeElevenLabs, type FakeElevenLabsOptions, startFakeElevenLabs } from "./fake-elevenlabs.ts";
export { type FakeOpenAi, type FakeOpenAiOptions, startFakeOpenAi } from "./fake-openai.ts";
export {
  type FakeCheckoutSession,
  type FakeStripe,
  type FakeStripeFailure,
  type FakeStripeOptions,
  type FakeStripeRequest,
  type FakeWebhookDelivery,
  startFakeStripe,
} from "./fake-stripe.ts";
export type {
  FakeLlmControl,
  FakeLlmOutcome,
  FakeLlmPacing,
  FakeLlmReply,
  FakeLlmRequestView,
  FakeLlmScript,
  FakeToolCall,
} from "./llm-script.ts";
export type {
  FakeTtsControl,
  FakeTtsOutcome,
  FakeTtsReply,
  FakeTtsRequestView,
  FakeTtsScript,
} from "./tts-script.ts";
