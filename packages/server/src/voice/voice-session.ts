// Room voice/: hearing and speaking on a call: VAD, end of turn, barge-in, playback, the voice session.
import type { Voice } from "@clawcall/contract";
import { analyzeFrame, createFrameFeatures, framesForMs, msForBytes } from "../media/frames.ts";
import { FRAME_MS, type MediaCloseReason, type MediaStream } from "../media/media-stream.ts";
import { LatencyRecorder, type LatencySummary } from "../observability/latency.ts";
import type { SttEvent, SttSession } from "../providers/stt/stt.ts";
import type { TTS } from "../providers/tts/tts.ts";
import { BargeInPolicy } from "./barge-in.ts";
import { EndOfTurnDetector } from "./end-of-turn.ts";
import { MusicDetector } from "./music-detector.ts";
import { PlaybackTracker } from "./playback-tracker.ts";
import { playReply, type SpeechSource } from "./reply-pipeline.ts";
import type {
  SpeakOptions,
  SpeakResult,
  VoiceSessionHandlers,
  VoiceSessionOptions,
  VoiceSessionSettings,
} from "./session-types.ts";
import { ToneDetector } from "./tone-detector.ts";
import { VoiceActivityDetector } from "./vad.ts";

/**
 * No voice for this long, and no words pending: the line's audio is quiet (see SttSession.write). A
 * recogniser's own waits after speech (endpointing, Deepgram's utterance end) fall while the words are
 * still pending; this is only a margin past the VAD's hangover, for a breath between two sentences.
 */
const RECOGNISER_QUIET_FRAMES = framesForMs(400);
/**
 * Audio no turn waits on (no speech, no words pending: before the first words, and from a turn's end on)
 * may wait this long to be batched. While words are awaited, what follows the speech goes at once: it is
 * the recogniser's endpointing clock.
 */
const RECOGNISER_QUIET_WAIT_MS = 200;
/**
 * Voiced audio while no reply plays may wait this long: nothing acts on the words until the speech
 * stops, and the first frame that is not voiced goes out at once with what was held, so the recogniser
 * hears the silence after speech (its endpointing clock) as soon as before. While a reply plays, speech
 * goes at once: barge-in waits on its words.
 */
const RECOGNISER_SPEECH_WAIT_MS = 100;

interface ActiveReply {
  controller: AbortController;
  interruptible: boolean;
  firstAudioAt: number | null;
  /** First frame of callee speech heard during this reply (-1: none); speech before it does not count. */
  speechFrom: number;
  speechOnsetAt: number;
  /** When callee speech paused this reply's audio (null: not paused), and whether any was playing. */
  pausedAt: number | null;
  pausedWhilePlaying: boolean;
  settled: boolean;
  resolve(result: SpeakResult): void;
}

/**
 * The audio side of one answered call: listens (VAD, end of turn, tones, music, recogniser), speaks
 * (streamed replies with playback tracking) and arbitrates between the two (barge-in). It knows
 * nothing about what is said; the agent decides that.
 */
export class VoiceSession {
  private readonly media: MediaStream;
  private readonly stt: SttSession;
  private readonly tts: TTS;
  private readonly voice: Voice;
  private readonly handlers: VoiceSessionHandlers;
  private readonly settings: VoiceSessionSettings;
  private readonly now: () => number;
  private readonly features = createFrameFeatures();
  private readonly vad: VoiceActivityDetector;
  private readonly endOfTurn: EndOfTurnDetector;
  private readonly bargeIn: BargeInPolicy;
  private readonly tones: ToneDetector;
  private readonly music: MusicDetector;
  private readonly tracker: PlaybackTracker;
  private readonly latency = new LatencyRecorder();
  private reply: ActiveReply | null = null;
  private closed = false;
  private lastVoicedAt: number | null = null;
  /** Text of a turn that ended within the current stretch of speech. */
  private segmentText = "";
  private lastActivityAt: number;
  private heardAudioMs = 0;

  constructor(o: VoiceSessionOptions) {
    this.media = o.media;
    this.stt = o.stt;
    this.tts = o.tts;
    this.voice = o.voice;
    this.handlers = o.handlers;
    this.settings = o.settings ?? {};
    this.now = o.now ?? (() => performance.now());
    this.vad = new VoiceActivityDetector(this.settings.vad);
    this.endOfTurn = new EndOfTurnDetector(this.settings.endOfTurn);
    this.bargeIn = new BargeInPolicy(this.settings.bargeIn);
    this.tones = new ToneDetector(this.settings.tone);
    this.music = new MusicDetector(this.settings.music);
    this.tracker = new PlaybackTracker(this.media, {
      now: this.now,
      lineClock: () => this.heardAudioMs,
      ...(o.spokenText ? { journal: o.spokenText } : {}),
    });
    this.lastActivityAt = this.now();
    this.media.attach({
      onAudio: (frame) => this.onAudio(frame),
      onDigit: (digit) => this.handlers.onDigit?.(digit),
      onMark: (name) => this.tracker.onMark(name),
      onClose: (reason) => this.onMediaClose(reason),
    });
  }

  /** True while a reply is being produced or played. */
  get speaking(): boolean {
    return this.reply !== null;
  }

  /** True while the callee is talking (by the VAD). */
  get calleeSpeaking(): boolean {
    return this.vad.speaking;
  }

  /** Last moment anyone was heard or the agent stopped talking (performance.now()). */
  get lastActivity(): number {
    return this.reply !== null ? this.now() : this.lastActivityAt;
  }

  /**
   * Milliseconds of the callee's audio received so far: the line's own clock, which a stalled process
   * does not advance the way it advances the wall clock.
   */
  get heardMs(): number {
    return this.heardAudioMs;
  }

  /** Speech was heard whose words the recogniser has not given yet. */
  get wordsPending(): boolean {
    return this.endOfTurn.pending;
  }

  /** Asks the recogniser to give what it heard now rather than after its own end-of-speech wait. */
  flushRecognition(): void {
    if (!this.closed) this.stt.flush();
  }

  latencySummary(): LatencySummary {
    return this.latency.summary();
  }

  /** Feed every event of the call's recogniser session here. */
  onSttEvent(event: SttEvent): void {
    if (this.closed) return;
    switch (event.type) {
      case "speech_started":
        this.lastActivityAt = this.now();
        return;
      case "interim":
        this.endOfTurn.onInterim(event.text, this.vad.frames - 1);
        if (event.text.trim().length > 0) this.lastActivityAt = this.now();
        this.checkBargeIn();
        this.evaluateTurn();
        return;
      case "final":
        this.endOfTurn.onFinal(event.text, event.endOfUtterance, this.vad.frames - 1);
        if (event.text.trim().length > 0) this.lastActivityAt = this.now();
        this.evaluateTurn();
        return;
      case "error":
        this.handlers.onSttError?.(event.error);
        return;
    }
  }

  /**
   * Speaks a line or a streamed reply. Resolves once it has been played out, or as soon as it is
   * interrupted, with the text the callee actually heard. A new call interrupts the previous one.
   */
  speak(source: SpeechSource, options: SpeakOptions = {}): Promise<SpeakResult> {
    if (this.closed) return Promise.resolve({ text: "", interrupted: true });
    this.stopSpeaking();
    this.tracker.reset();
    const controller = new AbortController();
    const external = options.signal;
    const onExternalAbort = () => this.interrupt(reply);
    const reply: ActiveReply = {
      controller,
      interruptible: options.interruptible ?? true,
      firstAudioAt: null,
      speechFrom: -1,
      speechOnsetAt: 0,
      pausedAt: null,
      pausedWhilePlaying: false,
      settled: false,
      resolve: () => {},
    };
    const promise = new Promise<SpeakResult>((resolve) => {
      reply.resolve = (result) => {
        if (reply.settled) return;
        reply.settled = true;
        external?.removeEventListener("abort", onExternalAbort);
        if (this.reply === reply) this.reply = null;
        this.lastActivityAt = this.now();
        resolve(result);
      };
    });
    this.reply = reply;
    if (external?.aborted) {
      this.interrupt(reply);
      return promise;
    }
    external?.addEventListener("abort", onExternalAbort, { once: true });
    playReply({
      source,
      tts: this.tts,
      voice: this.voice,
      tracker: this.tracker,
      signal: controller.signal,
      chunker: this.settings.chunker,
      onFirstAudio: () => {
        const now = this.now();
        reply.firstAudioAt = now;
        const turn = options.replyTo;
        if (turn !== undefined && turn.speechEndedAt !== null) {
          this.latency.recordTurn(now - turn.speechEndedAt);
          // One sample per callee turn, even if the agent speaks twice in answer.
          turn.speechEndedAt = null;
        }
      },
    }).then(
      () => reply.resolve({ text: this.tracker.playedText(), interrupted: controller.signal.aborted }),
      (error: unknown) => {
        if (reply.settled) return;
        const text = this.tracker.clear();
        controller.abort();
        reply.resolve({ text, interrupted: false, error: asError(error) });
      },
    );
    return promise;
  }

  /** Stops the agent mid-sentence (not a barge-in: no latency sample). */
  stopSpeaking(): void {
    if (this.reply !== null) this.interrupt(this.reply);
  }

  close(): void {
    if (this.closed) return;
    this.stopSpeaking();
    this.closed = true;
    this.tracker.dispose();
    this.stt.close().catch(() => {});
  }

  private interrupt(reply: ActiveReply): string {
    if (reply.settled) return "";
    const text = this.tracker.clear();
    reply.controller.abort();
    reply.resolve({ text, interrupted: true });
    return text;
  }

  private onAudio(frame: Uint8Array): void {
    if (this.closed) return;
    this.heardAudioMs += msForBytes(frame.length);
    const now = this.now();
    const f = analyzeFrame(frame, this.features);
    const event = this.vad.process(f);
    this.toRecogniser(frame);
    if (this.vad.voiced) {
      this.lastVoicedAt = now;
      this.lastActivityAt = now;
      if (this.endOfTurn.previewOpen) {
        this.endOfTurn.onVoiced();
        this.handlers.onTurnPreview?.(null);
      }
    }
    if (event === "start") {
      this.segmentText = "";
      this.endOfTurn.onSpeech();
      this.handlers.onSpeechStart?.();
    }
    const tone = this.tones.process(frame, f);
    if (tone !== null) this.handlers.onTone?.(tone);
    if (this.music.process(f)) this.handlers.onMusic?.();
    const reply = this.reply;
    if (reply !== null) {
      if (this.vad.voiced && reply.speechFrom < 0) {
        reply.speechFrom = this.vad.frames - 1;
        reply.speechOnsetAt = now;
      } else if (!this.vad.voiced && !this.vad.speaking) {
        if (reply.pausedAt !== null && reply.speechFrom >= 0) this.afterPause(reply);
        reply.speechFrom = -1;
      }
      if (this.vad.speaking) this.checkBargeIn();
    }
    this.evaluateTurn();
  }

  private toRecogniser(frame: Uint8Array): void {
    // The recogniser may keep the buffer past this call (see SttSession.write); the media stream reuses its
    // own. A copy (frame.slice() of a Buffer would be a view), cut from Node's shared pool: a buffer of its
    // own for each frame costs more to make and to collect.
    const copy = Buffer.allocUnsafe(frame.length);
    copy.set(frame);
    const vad = this.vad;
    let mayWaitMs = 0;
    let quiet = false;
    if (vad.voiced) {
      if (this.reply === null) mayWaitMs = RECOGNISER_SPEECH_WAIT_MS;
    } else if (!vad.speaking && !this.endOfTurn.pending) {
      // The turn's words are in (or none came): nothing waits on this audio, quiet yet or not.
      mayWaitMs = RECOGNISER_QUIET_WAIT_MS;
      quiet = vad.frames - 1 - vad.lastVoicedFrame >= RECOGNISER_QUIET_FRAMES;
    }
    this.stt.write(copy, mayWaitMs, quiet);
  }

  private checkBargeIn(): void {
    const reply = this.reply;
    if (reply === null || !reply.interruptible || !this.vad.speaking || reply.speechFrom < 0) return;
    const decision = this.bargeIn.decide(this.speechOverReplyMs(reply), this.heardOverReply());
    if (decision === "pause") {
      if (reply.pausedAt !== null) return;
      reply.pausedWhilePlaying = this.tracker.playing;
      reply.pausedAt = this.now();
      this.tracker.pause();
    } else if (decision === "barge_in") {
      this.bargeInOn(reply);
    }
  }

  /** The callee stopped talking over a paused reply: carry on with it, unless they said something real. */
  private afterPause(reply: ActiveReply): void {
    if (!this.bargeIn.mayResume(this.speechOverReplyMs(reply), this.heardOverReply())) {
      this.bargeInOn(reply);
      return;
    }
    reply.pausedAt = null;
    this.tracker.resume();
  }

  private bargeInOn(reply: ActiveReply): void {
    const paused = reply.pausedAt !== null;
    const wasPlaying = paused ? reply.pausedWhilePlaying : this.tracker.playing;
    // The callee stopped hearing the agent when it paused, if it did.
    const stoppedAt = reply.pausedAt ?? this.now();
    this.interrupt(reply);
    if (wasPlaying) {
      const onset = Math.max(reply.speechOnsetAt, reply.firstAudioAt ?? reply.speechOnsetAt);
      this.latency.recordBargeIn(stoppedAt - onset);
      this.handlers.onBargeIn?.();
    }
  }

  /** Voiced time only: the VAD's hangover after a short sound is not the callee talking. */
  private speechOverReplyMs(reply: ActiveReply): number {
    return (this.vad.lastVoicedFrame - reply.speechFrom + 1) * FRAME_MS;
  }

  /** A turn taken while the VAD is still in its hangover keeps counting as what this speech said. */
  private heardOverReply(): string {
    return this.endOfTurn.heard || this.segmentText;
  }

  private evaluateTurn(): void {
    const action = this.endOfTurn.evaluate(this.vad.frames - 1, this.vad.speaking, this.vad.lastVoicedFrame);
    if (action.type === "flush") this.stt.flush();
    else if (action.type === "preview") {
      // While the agent speaks, the callee's words are weighed by the barge-in policy instead.
      if (this.reply === null) this.handlers.onTurnPreview?.(action.text);
    } else if (action.type === "turn") {
      this.segmentText = this.vad.speaking ? action.text : "";
      this.handlers.onUserTurn({
        text: action.text,
        speechEndedAt: this.lastVoicedAt,
        duringReply: this.reply !== null,
      });
      this.lastVoicedAt = null;
    }
  }

  private onMediaClose(reason: MediaCloseReason): void {
    if (this.closed) return;
    this.stopSpeaking();
    this.handlers.onClose?.(reason);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
