import type { MediaCloseReason, MediaHandlers, MediaStream } from "../../media/media-stream.ts";
import { FRAME_BYTES } from "../../media/media-stream.ts";

/** The part of a `ws` WebSocket this adapter uses; lets tests drive it without a network. */
export interface MediaSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: "close", listener: () => void): unknown;
}

/** Telnyx accepts 20 ms to 30 s of RTP payload per media message; one second keeps messages small. */
const MAX_CHUNK_BYTES = 8000;

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

  constructor(
    private readonly socket: MediaSocket,
    /** Asked when the socket goes away without a `stop`: is the call still up (a drop) or over? */
    private readonly isCallLive: () => boolean,
  ) {
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      this.onMessage(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));
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

  send(audio: Uint8Array): void {
    if (this.closed || audio.length === 0) return;
    for (let i = 0; i < audio.length; i += MAX_CHUNK_BYTES) {
      const chunk = audio.subarray(i, Math.min(i + MAX_CHUNK_BYTES, audio.length));
      this.write({ event: "media", media: { payload: Buffer.from(chunk).toString("base64") } });
    }
  }

  mark(name: string): void {
    if (this.closed) return;
    // The caller's name stays readable before the sequence number (the Telnyx emulator's callees match
    // it to the text played); the number alone makes each wire name unique.
    const wire = `${name}#${++this.markSeq}`;
    this.pendingMarks.set(wire, name);
    this.write({ event: "mark", mark: { name: wire } });
  }

  clear(): void {
    if (this.closed) return;
    // Telnyx echoes the marks of cleared media; forgetting them here keeps those echoes silent.
    this.pendingMarks.clear();
    this.write({ event: "clear" });
  }

  close(): void {
    if (this.closed) return;
    // Closed by the session itself: it needs no onClose.
    this.closed = true;
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
    const withId = this.streamId ? { ...frame, stream_id: this.streamId } : frame;
    try {
      this.socket.send(JSON.stringify(withId));
    } catch {
      // A socket that is already closing reports through its close event.
    }
  }

  private onMessage(raw: Buffer): void {
    let frame: TelnyxFrame;
    try {
      frame = JSON.parse(raw.toString("utf8")) as TelnyxFrame;
    } catch {
      return;
    }
    switch (frame.event) {
      case "start":
        this.streamId = frame.stream_id;
        if (!this.started) {
          this.started = true;
          this.onStartListener?.();
        }
        return;
      case "media": {
        // both_tracks also carries our own audio back as "outbound"; only the callee's side is input.
        if (!frame.media?.payload || (frame.media.track && frame.media.track !== "inbound")) return;
        const bytes = Buffer.from(frame.media.payload, "base64");
        for (let i = 0; i < bytes.length; i += FRAME_BYTES) {
          this.handlers?.onAudio(bytes.subarray(i, Math.min(i + FRAME_BYTES, bytes.length)));
        }
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

  private finish(reason: MediaCloseReason): void {
    if (this.notified) return;
    this.notified = true;
    this.closed = true;
    this.closeReason = reason;
    this.handlers?.onClose?.(reason);
  }
}
