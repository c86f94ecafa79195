import { msForBytes } from "../../media/frames.ts";
import { messageBytes } from "../../media/json-bytes.ts";
import type { MediaCloseReason, MediaHandlers, MediaStream } from "../../media/media-stream.ts";
import { FRAME_BYTES } from "../../media/media-stream.ts";
import { MediaMessageReader, NOT_READ } from "./media-message.ts";

/** The part of a `ws` WebSocket this adapter uses; lets tests drive it without a network. */
export interface MediaSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: "close", listener: () => void): unknown;
}

/** Telnyx accepts 20 ms to 30 s of RTP payload per media message; one second keeps messages small. */
const MAX_CHUNK_BYTES = 8000;
/**
 * Audio that comes while Telnyx already has this much of ours still to play waits (see send) until it
 * has SEND_AHEAD_MS left: time enough for a late event loop, and none of it heard.
 */
const HOLD_AHEAD_MS = 600;
const SEND_AHEAD_MS = 300;

function base64(audio: Uint8Array): string {
  return Buffer.from(audio.buffer, audio.byteOffset, audio.length).toString("base64");
}

interface TelnyxFrame {
  event?: string;
  stream_id?: string;
  start?: { call_control_id?: string; media_format?: { encoding?: string; sample_rate?: number } };
  media?: { track?: string; payload?: string };
  dtmf?: { digit?: string };
  mark?: { name?: string };
}

/**
 * A MediaStream over Telnyx's media-streaming WebSocket (bidirectional RTP mode, PCMU 8 kHz).
 * Marks are renamed to unique wire names so a `clear` can tell stale mark echoes (which Telnyx sends
 * back for cleared media) from marks whose audio really played.
 */
export class TelnyxMediaStream implements MediaStream {
  private handlers: MediaHandlers | undefined;
  private started = false;
  private closed = false;
  private notified = false;
  /** Why the stream finished, kept for handlers attached after it did. */
  private closeReason: MediaCloseReason | undefined;
  private stopped = false;
  private streamId: string | undefined;
  private markSeq = 0;
  private readonly pendingMarks = new Map<string, string>();
  private onStartListener: (() => void) | undefined;
  private readonly reader = new MediaMessageReader();
  /** Audio sent while a burst is gathered or while the far end has enough to play (see send). */
  private gathered: Uint8Array[] = [];
  private gatheredBytes = 0;
  private gathering = false;
  private holding: NodeJS.Timeout | undefined;
  /** When the far end will have played all the audio sent so far (performance.now()), at the soonest. */
  private playsUntil = 0;
  /** `{"event":"media","stream_id":…,"media":{"payload":"`: every outbound media message starts so. */
  private mediaPrefix = '{"event":"media","media":{"payload":"';

  constructor(
    private readonly socket: MediaSocket,
    /** Asked when the socket goes away without a `stop`: is the call still up (a drop) or over? */
    private readonly isCallLive: () => boolean,
  ) {
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      this.onMessage(messageBytes(data));
    });
    socket.on("close", () => this.finish(this.stopped || !this.isCallLive() ? "hangup" : "dropped"));
  }

  /** Called once Telnyx's `start` frame has arrived (the stream is usable). */
  onStart(listener: () => void): void {
    this.onStartListener = listener;
    if (this.started) listener();
  }

  get isStarted(): boolean {
    return this.started;
  }

  attach(handlers: MediaHandlers): void {
    this.handlers = handlers;
    // A busy service may start the conversation only after the stream already dropped; without this the
    // drop would go unheard and the call would wait for an end that never comes.
    const reason = this.closeReason;
    if (reason !== undefined) queueMicrotask(() => handlers.onClose?.(reason));
  }

  /**
   * Each message costs a frame and a write whatever it holds, and the far end plays them back to back,
   * so audio goes out in as few messages as keep it playing. Audio that comes in a burst (a synthesiser's
   * messages read together) goes as one message: the first piece at once, what follows in the same turn
   * of the event loop once that turn ends. Audio that comes while the far end still has HOLD_AHEAD_MS to
   * play waits with what follows until it has SEND_AHEAD_MS left, or until a mark (which follows it).
   */
  send(audio: Uint8Array): void {
    if (this.closed || audio.length === 0) return;
    if (this.gathering || this.holding !== undefined) {
      this.gather(audio);
      return;
    }
    const ahead = this.playsUntil - performance.now();
    if (ahead >= HOLD_AHEAD_MS) {
      this.gather(audio);
      this.holding = setTimeout(this.sendGathered, ahead - SEND_AHEAD_MS);
      return;
    }
    this.sendMedia(audio);
    this.gathering = true;
    setImmediate(this.sendGathered);
  }

  private gather(audio: Uint8Array): void {
    this.gathered.push(audio);
    this.gatheredBytes += audio.length;
  }

  private readonly sendGathered = (): void => {
    this.gathering = false;
    this.stopHolding();
    const pieces = this.gathered;
    if (pieces.length === 0) return;
    const bytes = this.gatheredBytes;
    this.gathered = [];
    this.gatheredBytes = 0;
    if (this.closed) return;
    this.sendMedia(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, bytes));
  };

  private stopHolding(): void {
    if (this.holding === undefined) return;
    clearTimeout(this.holding);
    this.holding = undefined;
  }

  private sendMedia(audio: Uint8Array): void {
    this.playsUntil = Math.max(this.playsUntil, performance.now()) + msForBytes(audio.length);
    for (let i = 0; i < audio.length; i += MAX_CHUNK_BYTES) {
      const chunk = audio.subarray(i, Math.min(i + MAX_CHUNK_BYTES, audio.length));
      this.sendText(`${this.mediaPrefix}${base64(chunk)}"}}`);
    }
  }

  mark(name: string): void {
    if (this.closed) return;
    // A mark follows the audio sent before it.
    this.sendGathered();
    // The caller's name stays readable before the sequence number (the Telnyx emulator's callees match
    // it to the text played); the number alone makes each wire name unique.
    const wire = `${name}#${++this.markSeq}`;
    this.pendingMarks.set(wire, name);
    this.write({ event: "mark", mark: { name: wire } });
  }

  clear(): void {
    if (this.closed) return;
    this.gathered = [];
    this.gatheredBytes = 0;
    this.stopHolding();
    this.playsUntil = 0;
    // Telnyx echoes the marks of cleared media; forgetting them here keeps those echoes silent.
    this.pendingMarks.clear();
    this.write({ event: "clear" });
  }

  close(): void {
    if (this.closed) return;
    // Closed by the session itself: it needs no onClose.
    this.closed = true;
    this.stopHolding();
    this.notified = true;
    this.socket.close(1000, "call ended");
  }

  /** The call ended (webhook): close the socket and tell the session it was a hang-up, not a drop. */
  endForHangup(): void {
    this.stopped = true;
    this.finish("hangup");
    this.socket.close(1000, "call ended");
  }

  private write(frame: object): void {
    this.sendText(JSON.stringify(this.streamId ? { ...frame, stream_id: this.streamId } : frame));
  }

  private sendText(text: string): void {
    try {
      this.socket.send(text);
    } catch {
      // A socket that is already closing reports through its close event.
    }
  }

  private onMessage(raw: Buffer): void {
    // The callee's audio, fifty messages a second: read without JSON.parse when the reader can.
    const bytes = this.reader.read(raw);
    if (bytes !== NOT_READ) {
      this.passOn(this.reader.decoded, bytes);
      return;
    }
    let frame: TelnyxFrame;
    try {
      frame = JSON.parse(raw.toString("utf8")) as TelnyxFrame;
    } catch {
      return;
    }
    switch (frame.event) {
      case "start":
        this.streamId = frame.stream_id;
        this.mediaPrefix = this.streamId
          ? `{"event":"media","stream_id":${JSON.stringify(this.streamId)},"media":{"payload":"`
          : '{"event":"media","media":{"payload":"';
        if (!this.started) {
          this.started = true;
          this.onStartListener?.();
        }
        return;
      case "media": {
        // both_tracks also carries our own audio back as "outbound"; only the callee's side is input.
        const payload = frame.media?.payload;
        if (
          typeof payload !== "string" ||
          !payload ||
          (frame.media?.track && frame.media.track !== "inbound")
        )
          return;
        const bytes = Buffer.from(payload, "base64");
        this.passOn(bytes, bytes.length);
        return;
      }
      case "dtmf":
        if (frame.dtmf?.digit) this.handlers?.onDigit?.(frame.dtmf.digit);
        return;
      case "mark": {
        const wire = frame.mark?.name;
        const name = wire ? this.pendingMarks.get(wire) : undefined;
        if (wire && name !== undefined) {
          this.pendingMarks.delete(wire);
          this.handlers?.onMark?.(name);
        }
        return;
      }
      case "stop":
        this.stopped = true;
        return;
      default:
        return;
    }
  }

  /** The first `length` bytes of `audio`, frame by frame; the handlers may not keep them (see onAudio). */
  private passOn(audio: Buffer, length: number): void {
    // Telnyx sends a frame a message: the buffer itself, with no view made of it fifty times a second.
    if (length === audio.length && length <= FRAME_BYTES) {
      this.handlers?.onAudio(audio);
      return;
    }
    for (let i = 0; i < length; i += FRAME_BYTES) {
      this.handlers?.onAudio(audio.subarray(i, Math.min(i + FRAME_BYTES, length)));
    }
  }

  private finish(reason: MediaCloseReason): void {
    if (this.notified) return;
    this.notified = true;
    this.closed = true;
    this.stopHolding();
    this.closeReason = reason;
    this.handlers?.onClose?.(reason);
  }
}
