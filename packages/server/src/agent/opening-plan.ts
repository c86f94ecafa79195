import { type CallRequest, DEFAULT_VOICE } from "@clawcall/contract";
import type { LLM } from "../providers/llm/llm.ts";
import type { TTS } from "../providers/tts/tts.ts";
import { type PreparedSpeech, synthesizeAhead } from "../voice/prepared-speech.ts";
import type { SpeechSource } from "../voice/reply-pipeline.ts";
import type { TextChunkerOptions } from "../voice/text-chunker.ts";
import { type OpeningFacts, templateOpening } from "./opening-line.ts";
import { composeOpening } from "./opening-request.ts";

export interface OpeningPlanOptions {
  request: CallRequest;
  tts: TTS;
  /** Null: no model is asked, the template is the opening. */
  llm: LLM | null;
  temperature: number;
  chunker?: TextChunkerOptions;
  /** Told when composing or synthesising ahead fails (the call goes on with the template). */
  onWarning(message: string, error: unknown): void;
}

/**
 * The opening of one call, made ready while the phone rings: the model composes the line and the line
 * is synthesised before anyone answers. Whichever line is ready when the agent needs it is the one
 * spoken: the composed one, else the template from the request's structured fields.
 */
export class OpeningPlan {
  private readonly controller = new AbortController();
  private readonly template: OpeningFacts;
  private composed: OpeningFacts | null = null;
  private composedSpeech: PreparedSpeech | null = null;
  private templateSpeech: PreparedSpeech | null = null;
  private templateStarted = false;
  private taken = false;
  private composing: Promise<void> = Promise.resolve();

  constructor(private readonly o: OpeningPlanOptions) {
    this.template = templateOpening(o.request);
    if (o.llm !== null) this.compose(o.llm);
  }

  /** The composed line once ready; null until then (and always, when the template will be spoken). */
  get ready(): OpeningFacts | null {
    return this.composed;
  }

  /**
   * The call was answered: when no composed line is ready yet, the template is synthesised too, so
   * that a fallback also plays with no wait.
   */
  answered(): void {
    if (this.composed !== null || this.templateStarted) return;
    this.templateStarted = true;
    this.synthesize(this.template.line)
      .then((speech) => {
        this.templateSpeech = speech;
      })
      .catch((e: unknown) => this.warnUnlessCancelled("synthesising the opening ahead failed", e));
  }

  /** The opening to speak now, and what it says; composing stops here. */
  take(): { facts: OpeningFacts; speech: SpeechSource } {
    this.taken = true;
    const facts = this.composed ?? this.template;
    const ahead = facts === this.composed ? this.composedSpeech : this.templateSpeech;
    // Only what is unfinished is stopped: audio synthesised ahead is already in hand.
    this.controller.abort();
    return { facts, speech: ahead ?? facts.line };
  }

  cancel(): void {
    this.controller.abort();
  }

  /** Resolves once composing and synthesising ahead are over, whichever way they ended. */
  settled(): Promise<void> {
    return this.composing;
  }

  private compose(llm: LLM): void {
    const signal = this.controller.signal;
    this.composing = composeOpening(llm, this.o.request, { signal, temperature: this.o.temperature })
      .then(async (facts) => {
        if (facts === null || this.taken) return;
        this.composed = facts;
        this.composedSpeech = await this.synthesize(facts.line);
      })
      .catch((e: unknown) => this.warnUnlessCancelled("composing the opening line failed", e));
  }

  private synthesize(text: string): Promise<PreparedSpeech> {
    const voice = this.o.request.voice ?? DEFAULT_VOICE;
    return synthesizeAhead({
      text,
      tts: this.o.tts,
      voice,
      signal: this.controller.signal,
      chunker: this.o.chunker,
    });
  }

  private warnUnlessCancelled(message: string, error: unknown): void {
    if (!this.controller.signal.aborted) this.o.onWarning(message, error);
  }
}
