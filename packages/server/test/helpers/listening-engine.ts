import type {
  AnsweredCall,
  CallSignal,
  ConversationEngine,
  ConversationResult,
} from "../../src/calls/conversation.ts";

/**
 * A test stand-in for the voice agent: it takes the call's media and stays on the line, writing the
 * given transcript lines, until the call ends or `talkSeconds` pass. No speech, no model.
 */
export class ListeningEngine implements ConversationEngine {
  readonly answered: AnsweredCall[] = [];
  /** Carrier signals each call received, by call id. */
  readonly signals = new Map<string, CallSignal[]>();
  framesHeard = 0;

  constructor(
    private readonly options: {
      talkSeconds?: number;
      lines?: { role: "assistant" | "user"; text: string }[];
      /** Start listening for carrier signals this long after the call starts (as a slow engine would). */
      signalsAfterMs?: number;
    } = {},
  ) {}

  unavailableReason(): string | null {
    return null;
  }

  async run(call: AnsweredCall): Promise<ConversationResult> {
    this.answered.push(call);
    call.media.attach({ onAudio: () => void this.framesHeard++ });
    for (const line of this.options.lines ?? []) call.appendTranscript(line);
    const received: CallSignal[] = [];
    this.signals.set(call.callId, received);
    const listen = setTimeout(() => call.onSignal((s) => received.push(s)), this.options.signalsAfterMs ?? 0);
    await new Promise<void>((resolve) => {
      const timer =
        this.options.talkSeconds !== undefined ? setTimeout(resolve, this.options.talkSeconds * 1000) : null;
      call.signal.addEventListener("abort", () => {
        if (timer) clearTimeout(timer);
        clearTimeout(listen);
        resolve();
      });
    });
    return { endReason: "test listener done" };
  }
}
