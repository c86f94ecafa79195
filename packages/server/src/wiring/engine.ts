import type { ConversationEngine } from "../calls/conversation.ts";
import type { Config } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";

/**
 * Builds the conversation engine from the configured providers. Without a language model, speech
 * recognition and speech synthesis there is no agent: answered calls end at once with that reason.
 */
export async function createConversationEngine(
  config: Config,
  _logger: Logger,
): Promise<{ engine: ConversationEngine; describe(): string[] }> {
  const reason =
    !config.providers.openai && !config.providers.anthropic
      ? "no language model is configured (set OPENAI_API_KEY or ANTHROPIC_API_KEY)"
      : "the voice agent is not part of this build yet";
  const engine: ConversationEngine = {
    unavailableReason: () => reason,
    run: async () => ({ endReason: reason }),
  };
  return { engine, describe: () => [`voice agent: unavailable (${reason}); answered calls end at once`] };
}
