import type { AgentVoice } from "./agent-voice.ts";
import { whatAnswered } from "./phrases.ts";

/** How much longer than planned the opening waits, by the wall clock, on a line that sends no audio. */
const NO_AUDIO_GRACE_MS = 2000;
/** What a menu says after a key it did not take: still the menu, not a person. */
const MENU_FEEDBACK =
  /\b(not a valid|invalid (option|entry|selection)|did not get|didn't get|try again|returning to)\b/i;

/**
 * Listening, before anything is said: the opening line waits for some audio first (what answered may
 * speak), and longer when the callee started speaking, so the agent never talks over a greeting.
 */
export class OpeningWait {
  private startedAt = 0;
  /** Audio to hear (ms of the line's clock) before the opening line, unless the callee is still talking. */
  private afterHeardMs = 0;

  start(now: number): void {
    this.startedAt = now;
  }

  waitFor(heardMs: number): void {
    this.afterHeardMs = heardMs;
  }

  due(line: Pick<AgentVoice, "heardMs" | "calleeSpeaking">, now: number): boolean {
    // Waits are counted in audio heard, so a stalled process does not make the agent talk over a
    // greeting that was late to arrive; a line that sends no audio at all gets the wall clock's word.
    const due =
      line.heardMs >= this.afterHeardMs || now - this.startedAt >= this.afterHeardMs + NO_AUDIO_GRACE_MS;
    return due && !line.calleeSpeaking;
  }
}

/** In a phone menu: words that sound like a person but are the menu answering a key it did not take. */
export function isMenuFeedback(text: string): boolean {
  return whatAnswered(text) === "person" && MENU_FEEDBACK.test(text);
}
