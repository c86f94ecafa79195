import type { AnsweredCall, ConversationEngine, ConversationResult } from "../../src/calls/conversation.ts";

/**
 * A test stand-in for the voice agent: it takes the call's media and stays on the line, writing the
 * given transcript lines, until the call ends or `talkSeconds` pass. No speech, no model.
 */
export class ListeningEngine implements ConversationEngine {
  readonly answered: AnsweredCall[] = [];
  framesHeard = 0;

  constructor(
    private readonly options: {
      talkSeconds?: number;
      lines?: { role: "assistant" | "user"; text: string }[];
    } = {},
  ) {}

  unavailableReason(): string | null {
    return null;
  }

  async run(call: AnsweredCall): Promise<ConversationResult> {
    this.answered.push(call);
    call.media.attach({ onAudio: () => void this.framesHeard++ });
    for (const line of this.options.lines ?? []) call.appendTranscript(line);
    await new Promise<void>((resolve) => {
      const timer =
        this.options.talkSeconds !== undefined ? setTimeout(resolve, this.options.talkSeconds * 1000) : null;
      call.signal.addEventListener("abort", () => {
        if (timer) clearTimeout(timer);
        resolve();
      });
    });
    return { endReason: "test listener done" };
  }
}
