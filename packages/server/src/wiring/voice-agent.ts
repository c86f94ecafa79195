// Room wiring/: builds the voice agent from the configured providers and the sandbox's offline speech,
// and beside it the service's own voice and the account phones (phone-verification.ts, greeting-audio.ts).
import { createVoiceAgentEngine } from "../agent/voice-agent-engine.ts";
import type { ConversationEngine } from "../calls/conversation.ts";
import type { Config } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import { createProviders, PROVIDER_SETTINGS } from "../providers/index.ts";
import type { TTS } from "../providers/tts/tts.ts";
import { FliteSynth } from "../sandbox/speech/flite.ts";
import { FliteTts } from "../sandbox/speech/flite-tts.ts";
import type { SandboxSpeech } from "../sandbox/speech/sandbox-speech.ts";

export interface BuiltVoiceAgent {
  engine: ConversationEngine;
  /** The agent's voice, for the other calls the service speaks on (phone verification). */
  tts?: TTS;
  /** Banner lines: the active providers, and what is missing for real calls. */
  describe(): string[];
  close(): Promise<void>;
}

/**
 * Builds the voice agent from the configured providers. On the sandbox, what no vendor provides comes
 * from the offline speech that ships with ClawCall (pocketsphinx or the persona-line reader to hear,
 * flite to speak), so a language model alone is enough for sandbox conversations. With no language
 * model there is no agent: answered calls end at once with that reason.
 */
export async function createConversationEngine(
  config: Config,
  logger: Logger,
  sandbox: SandboxSpeech | undefined,
  metrics?: Pick<Metrics, "agentFailures">,
): Promise<BuiltVoiceAgent> {
  const providers = await createProviders({
    ...config.providers,
    onFallback: (name, err) =>
      logger.warn(
        {
          provider: name,
          status: (err as { status?: number })?.status,
          kind: (err as { kind?: string })?.kind,
        },
        "provider failed; trying the next",
      ),
  });
  const agentVoice = !providers.tts && sandbox ? new FliteSynth() : null;
  const stt = providers.stt ?? sandbox?.stt;
  const tts = providers.tts ?? (agentVoice ? new FliteTts(agentVoice) : undefined);
  const engine = createVoiceAgentEngine({
    stt,
    llm: providers.llm,
    tts,
    settings: { maxCallMs: config.limits.maxCallSeconds * 1000, ...config.agent },
    missingReasons: {
      llm: `no language model is configured (set ${PROVIDER_SETTINGS.llm})`,
      stt: `no speech recognition is configured (set ${PROVIDER_SETTINGS.stt})`,
      tts: `no speech synthesis is configured (set ${PROVIDER_SETTINGS.tts})`,
    },
    onWarning: (message, err) => logger.warn({ err }, message),
    // Provider and kind only: the failure never carries transcript text, numbers or the vendor's words.
    onAgentFailure: ({ stage, provider, kind, fatal }) => {
      logger.warn(
        { stage, provider, kind },
        fatal ? "voice agent failed; the call is ended" : "voice agent provider failed; carrying on",
      );
      metrics?.agentFailures.inc({ provider, kind });
    },
    ...(sandbox ? { spokenText: sandbox.spokenText } : {}),
  });

  const describe = () => {
    const lines = providers.describe().map((l) => `provider: ${l}`);
    if (!providers.stt && sandbox)
      lines.push(
        `speech recognition: ${sandbox.describe().replace(/^sandbox speech recognition: /, "offline (sandbox only), ")}`,
      );
    if (agentVoice) lines.push("speech synthesis: flite, offline (sandbox only)");
    if (sandbox)
      lines.push(
        "sandbox callees: scripted personas; they understand the agent from the text of the audio it played, not by recognising speech",
      );
    const unavailable = engine.unavailableReason();
    lines.push(
      unavailable
        ? `voice agent: unavailable: ${unavailable}; answered calls end at once`
        : "voice agent: ready",
    );
    const missing = providers.missing();
    if (config.carrier.kind === "sandbox")
      missing.unshift("a carrier (CLAWCALL_CARRIER=telnyx, see docs/telnyx.md)");
    if (missing.length > 0) lines.push(`missing for real calls: ${missing.join("; ")}`);
    return lines;
  };
  return {
    engine,
    ...(tts ? { tts } : {}),
    describe,
    async close() {
      await engine.close();
      await agentVoice?.close();
    },
  };
}
