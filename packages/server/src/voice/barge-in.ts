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
  /**
   * Speech not recognised yet only pauses the agent until it has lasted this long: the recogniser's first
   * words often come later than the pause must, and an "uh-huh" is over before this.
   */
  unheardMs?: number;
  backchannelWords?: readonly string[];
}

/**
 * `pause`: stop the agent's audio now, but keep the rest of its reply to resume once the callee is done,
 * unless what they said turns out to be more than an acknowledgement.
 */
export type BargeInDecision = "wait" | "pause" | "barge_in" | "backchannel";

/**
 * Decides whether the callee talking over the agent should stop it. Short sounds under the threshold
 * never do; longer speech does unless what has been recognised so far is only acknowledgement words
 * ("uh-huh", "okay"), which people say to keep the speaker going. Speech with no words recognised yet
 * pauses the agent (as a person would) until it is long enough to be an interruption in its own right.
 */
export class BargeInPolicy {
  readonly minSpeechMs: number;
  readonly maxBackchannelMs: number;
  readonly unheardMs: number;
  private readonly phrases: string[];

  constructor(options: BargeInOptions = {}) {
    this.minSpeechMs = options.minSpeechMs ?? 200;
    this.maxBackchannelMs = options.maxBackchannelMs ?? 1500;
    this.unheardMs = options.unheardMs ?? 700;
    this.phrases = (options.backchannelWords ?? DEFAULT_BACKCHANNEL_WORDS)
      .map(normalizeWords)
      .filter((p) => p.length > 0)
      .sort((a, b) => b.length - a.length);
  }

  /** `speechMs`: how long the callee has been speaking; `heard`: interim or final text so far. */
  decide(speechMs: number, heard: string): BargeInDecision {
    if (speechMs < this.minSpeechMs) return "wait";
    if (normalizeWords(heard).length === 0) return speechMs < this.unheardMs ? "pause" : "barge_in";
    if (speechMs < this.maxBackchannelMs && this.isBackchannel(heard)) return "backchannel";
    return "barge_in";
  }

  /** Once the callee stopped talking over a paused agent: true if the agent should carry on. */
  mayResume(speechMs: number, heard: string): boolean {
    if (normalizeWords(heard).length === 0) return speechMs < this.unheardMs;
    return speechMs < this.maxBackchannelMs && this.isBackchannel(heard);
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
