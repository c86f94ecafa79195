import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { FRAME_BYTES, FRAME_MS } from "../../src/media/media-stream.ts";
import type { EmulatedCallee } from "./callee.ts";

const SILENCE = new Uint8Array(FRAME_BYTES).fill(0xff);

type Playout = { audio: Uint8Array } | { mark: string };

export interface MediaClientInit {
  url: string;
  authToken: string | undefined;
  callControlId: string;
  callSessionId: string;
  from: string;
  to: string;
  clientState: string | undefined;
  callee: EmulatedCallee;
}

/**
 * Telnyx's side of the media-streaming WebSocket: connects to our stream_url, sends connected/start,
 * then the callee's audio at real-time pace (one 20 ms frame per tick, drift-corrected), and plays the
 * agent's audio out at the same pace, echoing marks once the audio before them has played.
 */
export class MediaClient {
  readonly streamId = randomUUID();
  /** Frames of agent audio the callee has heard; tests read it. */
  framesPlayed = 0;
  private readonly ws: WebSocket;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private chunk = 0;
  private ticks = 0;
  private startedAt = 0;
  private playout: Playout[] = [];
  private ended = false;
  /** The party a transfer joined to the callee in the agent's place; the stream to us is gone then. */
  private joined: EmulatedCallee | undefined;
  readonly opened: Promise<boolean>;

  constructor(private readonly init: MediaClientInit) {
    this.ws = new WebSocket(init.url, {
      headers: init.authToken ? { "x-telnyx-streaming-auth-token": init.authToken } : {},
    });
    this.opened = new Promise((resolve) => {
      this.ws.once("open", () => {
        this.begin();
        resolve(true);
      });
      this.ws.once("unexpected-response", () => resolve(false));
      this.ws.once("error", () => resolve(false));
    });
    this.ws.on("message", (data, isBinary) => {
      if (!isBinary) this.onMessage(String(data));
    });
    // Once a transfer joined another party, the line runs on without the agent's stream.
    this.ws.on("close", () => {
      if (!this.joined) this.stopTimer();
    });
  }

  private send(frame: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private begin(): void {
    this.send({ event: "connected", version: "1.0.0" });
    this.send({
      event: "start",
      sequence_number: String(++this.seq),
      stream_id: this.streamId,
      start: {
        call_control_id: this.init.callControlId,
        call_session_id: this.init.callSessionId,
        from: this.init.from,
        to: this.init.to,
        client_state: this.init.clientState,
        media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
      },
    });
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.catchUp(), FRAME_MS);
  }

  private catchUp(): void {
    const due = Math.floor((Date.now() - this.startedAt) / FRAME_MS);
    // Bounded so a stalled event loop does not flood the socket afterwards.
    for (let n = 0; this.ticks < due && n < 10; n++) this.tick();
    if (this.ticks < due) this.ticks = due;
  }

  private tick(): void {
    this.ticks++;
    if (this.joined) {
      this.relay(this.init.callee, this.joined);
      return;
    }
    const frame = this.init.callee.nextFrame() ?? new Uint8Array(FRAME_BYTES).fill(0xff);
    this.send({
      event: "media",
      sequence_number: String(++this.seq),
      stream_id: this.streamId,
      media: {
        track: "inbound",
        chunk: String(++this.chunk),
        timestamp: String(this.ticks * FRAME_MS),
        payload: Buffer.from(frame).toString("base64"),
      },
    });
    this.playOneFrame();
  }

  private playOneFrame(): void {
    this.flushMarks();
    const head = this.playout[0];
    if (!head || !("audio" in head)) {
      // A phone's earpiece plays silence between the agent's words; callees hear a turn end by it.
      this.init.callee.hearAgent(SILENCE);
      return;
    }
    const frame = head.audio.subarray(0, FRAME_BYTES);
    if (head.audio.length <= FRAME_BYTES) this.playout.shift();
    else head.audio = head.audio.subarray(FRAME_BYTES);
    this.framesPlayed++;
    this.init.callee.agentPlayed?.(frame.length);
    this.init.callee.hearAgent(frame);
    this.flushMarks();
  }

  private flushMarks(): void {
    while (this.playout[0] && "mark" in this.playout[0]) {
      const item = this.playout.shift() as { mark: string };
      this.init.callee.agentMark?.(item.mark);
      this.send({ event: "mark", stream_id: this.streamId, mark: { name: item.mark } });
    }
  }

  private onMessage(text: string): void {
    let msg: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.event === "media" && msg.media?.payload) {
      this.init.callee.agentAudioArrived?.();
      this.playout.push({ audio: new Uint8Array(Buffer.from(msg.media.payload, "base64")) });
    } else if (msg.event === "mark" && msg.mark?.name) {
      this.playout.push({ mark: msg.mark.name });
      this.flushMarks();
    } else if (msg.event === "clear") {
      // Telnyx drops queued audio and hands the queued marks back; the callee heard none of it.
      const marks = this.playout.flatMap((p) => ("mark" in p ? [p.mark] : []));
      const next = this.playout.findIndex((p) => "mark" in p);
      const remaining = (next < 0 ? this.playout : this.playout.slice(0, next)).reduce(
        (sum, p) => sum + ("audio" in p ? p.audio.length : 0),
        0,
      );
      this.init.callee.agentCleared?.(remaining, marks);
      this.playout = [];
      for (const name of marks) this.send({ event: "mark", stream_id: this.streamId, mark: { name } });
    }
  }

  sendDigit(digit: string): void {
    this.send({
      event: "dtmf",
      stream_id: this.streamId,
      occurred_at: new Date().toISOString(),
      dtmf: { digit },
    });
  }

  /** One 20 ms frame each way between the callee and the party joined to it, as the joined call carries. */
  private relay(a: EmulatedCallee, b: EmulatedCallee): void {
    const fromA = a.nextFrame() ?? SILENCE;
    const fromB = b.nextFrame() ?? SILENCE;
    a.hearAgent(fromB);
    b.hearAgent(fromA);
  }

  /**
   * A transfer joined `party` to the callee: the agent's stream gets a clean `stop` and closes, and the
   * two parties hear each other (and learn each other's words) until the call ends.
   */
  handOver(party: EmulatedCallee): void {
    if (this.ended || this.joined) return;
    this.stopStream();
    const callee = this.init.callee;
    callee.followOwnAudio?.({ played: (n) => party.agentPlayed?.(n), mark: (m) => party.agentMark?.(m) });
    party.followOwnAudio?.({ played: (n) => callee.agentPlayed?.(n), mark: (m) => callee.agentMark?.(m) });
    this.joined = party;
  }

  /** The call ended: a clean `stop` (unless a transfer sent it already), then close. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimer();
    if (!this.joined) this.stopStream();
    this.init.callee.close();
    this.joined?.close();
  }

  private stopStream(): void {
    this.send({
      event: "stop",
      sequence_number: String(++this.seq),
      stream_id: this.streamId,
      stop: { call_control_id: this.init.callControlId },
    });
    this.ws.close(1000);
  }

  /** The media path fails under a live call: no `stop`, the TCP connection just goes away. */
  drop(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimer();
    this.ws.terminate();
    this.init.callee.close();
    this.joined?.close();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
