export const DEFAULT_BACKCHANNEL_WORDS: readonly string[] = [
  "uh-huh",
  "uh huh",
  "mm-hmm",
  "mm hmm",
  "mhm",
  "hmm",
  "mm",
  "okay",
  "ok",
  "yeah",
  "yep",
  "yes",
  "right",
  "sure",
  "alright",
  "all right",
  "i see",
  "got it",
  "uh",
  "um",
];

export interface BargeInOptions {
  /** Callee speech over the agent must last this long before playback is cut. */
  minSpeechMs?: number;
  /** Speech longer than this cuts the agent off even if it sounds like a backchannel. */
  maxBackchannelMs?: number;
  backchannelWords?: readonly string[];
}

export type BargeInDecision = "wait" | "barge_in" | "backchannel";

/**
 * Decides whether the callee talking over the agent should stop it. Short sounds under the threshold
 * never do; longer speech does unless what has been recognised so far is only acknowledgement words
 * ("uh-huh", "okay"), which people say to keep the speaker going.
 */
export class BargeInPolicy {
  readonly minSpeechMs: number;
  readonly maxBackchannelMs: number;
  private readonly phrases: string[];

  constructor(options: BargeInOptions = {}) {
    this.minSpeechMs = options.minSpeechMs ?? 200;
    this.maxBackchannelMs = options.maxBackchannelMs ?? 1500;
    this.phrases = (options.backchannelWords ?? DEFAULT_BACKCHANNEL_WORDS)
      .map(normalizeWords)
      .filter((p) => p.length > 0)
      .sort((a, b) => b.length - a.length);
  }

  /** `speechMs`: how long the callee has been speaking; `heard`: interim or final text so far. */
  decide(speechMs: number, heard: string): BargeInDecision {
    if (speechMs < this.minSpeechMs) return "wait";
    if (speechMs < this.maxBackchannelMs && this.isBackchannel(heard)) return "backchannel";
    return "barge_in";
  }

  /** True when the text is made only of acknowledgement words (empty text is not). */
  isBackchannel(text: string): boolean {
    let rest = normalizeWords(text);
    if (rest.length === 0) return false;
    while (rest.length > 0) {
      const match = this.phrases.find((p) => rest === p || rest.startsWith(`${p} `));
      if (match === undefined) return false;
      rest = rest.slice(match.length).trimStart();
    }
    return true;
  }
}

/** Lower case, punctuation stripped, hyphens as spaces, single spaces. */
export function normalizeWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[-–—]/g, " ")
    .replace(/[^\p{L}\p{N}' ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}
