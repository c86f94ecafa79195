import {
  FRAME_BYTES,
  FRAME_MS,
  type MediaCloseReason,
  type MediaHandlers,
  type MediaStream,
} from "../media/media-stream.ts";
import { everyFrame } from "./frame-clock.ts";
import type { PlayedTextFollower } from "./played-text.ts";

/** Mu-law byte for silence: what an idle leg of a phone call carries. */
export const MULAW_SILENCE = 0xff;

/**
 * One direction of a phone line: audio queued by the sender is played to the receiver one 20 ms frame
 * per tick, the way a carrier plays a media stream out. Marks fire once the audio before them is out.
 */
class Direction {
  private queue: Array<Uint8Array | string> = [];
  private partial: Uint8Array | null = null;
  private offset = 0;
  private readonly frame = new Uint8Array(FRAME_BYTES);

  push(audio: Uint8Array): void {
    if (audio.length > 0) this.queue.push(audio);
  }
  mark(name: string): void {
    this.queue.push(name);
  }
  /** Drops what is queued; returns what was left before the next mark, and the marks dropped. */
  clear(): { remainingBytes: number; marks: string[] } {
    let remainingBytes = this.partial ? this.partial.length - this.offset : 0;
    const marks: string[] = [];
    for (const item of this.queue) {
      if (typeof item === "string") marks.push(item);
      else if (marks.length === 0) remainingBytes += item.length;
    }
    this.queue = [];
    this.partial = null;
    this.offset = 0;
    return { remainingBytes, marks };
  }
  /** Fills one frame (silence where nothing is queued) and reports marks and audio played on the way. */
  tick(onMark: (name: string) => void, onPlayed?: (bytes: number) => void): Uint8Array {
    let filled = 0;
    while (filled < FRAME_BYTES) {
      if (this.partial === null) {
        const next = this.queue.shift();
        if (next === undefined) break;
        if (typeof next === "string") {
          onMark(next);
          continue;
        }
        this.partial = next;
        this.offset = 0;
      }
      const take = Math.min(FRAME_BYTES - filled, this.partial.length - this.offset);
      this.frame.set(this.partial.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      onPlayed?.(take);
      if (this.offset >= this.partial.length) this.partial = null;
    }
    // Marks right after the last audio are reached as soon as that audio is out.
    while (this.partial === null && typeof this.queue[0] === "string") onMark(this.queue.shift() as string);
    if (filled < FRAME_BYTES) this.frame.fill(MULAW_SILENCE, filled);
    return this.frame;
  }
}

class Endpoint implements MediaStream {
  handlers: MediaHandlers | null = null;
  /** Left the line (a handoff): what it still sends goes nowhere. */
  private detached = false;
  constructor(
    readonly outbound: Direction,
    private readonly onLocalClose: () => void,
    private readonly onCleared?: (dropped: { remainingBytes: number; marks: string[] }) => void,
  ) {}
  attach(handlers: MediaHandlers): void {
    this.handlers = handlers;
  }
  send(audio: Uint8Array): void {
    if (!this.detached) this.outbound.push(audio);
  }
  mark(name: string): void {
    if (!this.detached) this.outbound.mark(name);
  }
  clear(): void {
    if (this.detached) return;
    const dropped = this.outbound.clear();
    this.onCleared?.(dropped);
  }
  /** Leaves the line: handlers are let go and anything sent later is dropped. */
  detach(): MediaHandlers | null {
    this.detached = true;
    const leaving = this.handlers;
    this.handlers = null;
    return leaving;
  }
  close(): void {
    this.onLocalClose();
  }
}

export interface MediaPair {
  /** The agent's side: what the carrier hands to the voice session. */
  agent: MediaStream;
  /** The callee's side: what a sandbox persona speaks into and hears from. */
  callee: MediaStream;
  /** Delivers a keypad digit pressed by the agent to the callee side. */
  pressDigit(digit: string): void;
  /** Delivers a keypad digit pressed by the callee to the agent side (inbound DTMF). */
  calleePressDigit(digit: string): void;
  /**
   * The agent leaves the line (a handoff) while the callee stays: the agent's side is closed (what it
   * still sends is dropped) and the returned side is where the party it handed the call to talks.
   */
  handOver(): MediaStream;
  /** Ends both sides with the given reason (a hang-up, or the media path dropping). */
  end(reason: MediaCloseReason): void;
  readonly ended: boolean;
}

/**
 * A full-duplex 8 kHz line between the agent and a sandbox callee, clocked in real time: every 20 ms each
 * side receives exactly one frame, silence when the other side is quiet, as on a real call. Every line
 * of one frame period shares one clock (see frame-clock.ts).
 * `onTap` sees both directions' frames for recording.
 */
export function createMediaPair(options: {
  frameMs?: number;
  onTap?: (fromAgent: Uint8Array, fromCallee: Uint8Array) => void;
  onLocalClose?: (side: "agent" | "callee") => void;
  /** Follows the agent's audio as the callee hears it, to tell the callee the words played. */
  agentWords?: PlayedTextFollower;
  /** Follows the callee's audio as the agent's side hears it (a bridged party is told the words). */
  calleeWords?: PlayedTextFollower;
  /**
   * Told |inter-arrival − frame period| in ms of every frame the agent's side receives: what a
   * stalled process costs a call's audio, as a carrier's jitter buffer would see it.
   */
  onFrameJitter?: (ms: number) => void;
}): MediaPair {
  const toCallee = new Direction();
  const toAgent = new Direction();
  let ended = false;
  const words = options.agentWords;
  const agentSide = () =>
    new Endpoint(
      toCallee,
      () => options.onLocalClose?.("agent"),
      words ? (dropped) => words.cleared(dropped.remainingBytes, dropped.marks) : undefined,
    );
  let agent = agentSide();
  const back = options.calleeWords;
  const callee = new Endpoint(
    toAgent,
    () => options.onLocalClose?.("callee"),
    back ? (dropped) => back.cleared(dropped.remainingBytes, dropped.marks) : undefined,
  );
  const period = options.frameMs ?? FRAME_MS;
  const onJitter = options.onFrameJitter;
  let lastFrameAt = 0;
  // Made once, not per frame: a frame's work is the hot path of every sandbox call.
  const onAgentMark = (m: string) => {
    words?.mark(m);
    agent.handlers?.onMark?.(m);
  };
  const onAgentPlayed = words ? (bytes: number) => words.played(bytes) : undefined;
  const onCalleeMark = (m: string) => {
    back?.mark(m);
    callee.handlers?.onMark?.(m);
  };
  const onCalleePlayed = back ? (bytes: number) => back.played(bytes) : undefined;

  const step = () => {
    if (ended) return;
    const fromAgent = toCallee.tick(onAgentMark, onAgentPlayed);
    const fromCallee = toAgent.tick(onCalleeMark, onCalleePlayed);
    options.onTap?.(fromAgent, fromCallee);
    callee.handlers?.onAudio(fromAgent);
    if (onJitter) {
      const at = performance.now();
      if (lastFrameAt > 0) onJitter(Math.abs(at - lastFrameAt - period));
      lastFrameAt = at;
    }
    agent.handlers?.onAudio(fromCallee);
  };
  const stopClock = everyFrame(period, step);

  return {
    agent,
    callee,
    handOver() {
      // The leaving agent's unplayed audio goes with it.
      agent.clear();
      const leaving = agent.detach();
      agent = agentSide();
      if (!ended) leaving?.onClose?.("hangup");
      return agent;
    },
    pressDigit(digit) {
      if (!ended) callee.handlers?.onDigit?.(digit);
    },
    calleePressDigit(digit) {
      if (!ended) agent.handlers?.onDigit?.(digit);
    },
    end(reason) {
      if (ended) return;
      ended = true;
      stopClock();
      // A hang-up cuts the agent's audio like a clear: the callee heard the words played until then.
      const dropped = toCallee.clear();
      words?.cleared(dropped.remainingBytes, dropped.marks);
      agent.handlers?.onClose?.(reason);
      callee.handlers?.onClose?.(reason);
    },
    get ended() {
      return ended;
    },
  };
}
