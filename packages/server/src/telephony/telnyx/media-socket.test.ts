import { EventEmitter } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type MediaSocket, TelnyxMediaStream } from "./media-socket.ts";

type Sent = { event: string; stream_id?: string; media?: { payload: string }; mark?: { name: string } };

class FakeSocket extends EventEmitter implements MediaSocket {
  sent: Sent[] = [];
  closed = false;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closed = true;
  }
  frame(obj: object): void {
    this.emit("message", Buffer.from(JSON.stringify(obj)), false);
  }
}

function setup(live = true) {
  const socket = new FakeSocket();
  const stream = new TelnyxMediaStream(socket, () => live);
  const got = {
    audio: 0,
    frames: [] as Buffer[],
    digits: [] as string[],
    marks: [] as string[],
    closes: [] as string[],
  };
  stream.attach({
    onAudio: (f) => {
      got.audio += f.length;
      // The stream may reuse the frame's memory once this returns.
      got.frames.push(Buffer.from(f));
    },
    onDigit: (d) => got.digits.push(d),
    onMark: (m) => got.marks.push(m),
    onClose: (r) => got.closes.push(r),
  });
  socket.frame({ event: "start", stream_id: "s1", start: { media_format: { encoding: "PCMU" } } });
  return { socket, stream, got };
}

const payload = (n: number) => Buffer.alloc(n, 0x7f).toString("base64");

describe("Telnyx media stream", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("passes on the callee's audio and ignores our own echoed outbound track", () => {
    const { socket, got } = setup();
    socket.frame({ event: "media", media: { track: "inbound", payload: payload(160) } });
    socket.frame({ event: "media", media: { track: "outbound", payload: payload(160) } });
    expect(got.audio).toBe(160);
  });

  it("splits a payload of several frames into 20 ms frames, the last one possibly short", () => {
    const { socket, got } = setup();
    const audio = Buffer.from(Array.from({ length: 400 }, (_, i) => i & 0xff));
    socket.frame({ event: "media", media: { track: "inbound", payload: audio.toString("base64") } });
    expect(got.frames.map((f) => f.length)).toEqual([160, 160, 80]);
    expect(Buffer.concat(got.frames)).toEqual(audio);
  });

  it("passes on each message's own audio, though it reuses the memory between messages", () => {
    const { socket, got } = setup();
    const one = Buffer.alloc(160, 0x11);
    const two = Buffer.alloc(160, 0x22);
    for (const audio of [one, two])
      socket.emit(
        "message",
        Buffer.from(
          `{"event":"media","sequence_number":"9","media":{"track":"inbound","chunk":"3","timestamp":"60","payload":"${audio.toString("base64")}"},"stream_id":"s1"}`,
        ),
        false,
      );
    expect(got.frames).toEqual([one, two]);
  });

  it("reads audio that only the general JSON path can read, and ignores messages that are not media", () => {
    const { socket, got } = setup();
    const audio = Buffer.alloc(160, 0xfc);
    // An escaped slash is valid JSON the fast path leaves to JSON.parse.
    const escaped = audio.toString("base64").replaceAll("/", "\\/");
    socket.emit("message", Buffer.from(`{"event":"media","media":{"payload":"${escaped}"}}`), false);
    socket.emit("message", Buffer.from('{"event":"media","media":{"payload":'), false);
    socket.emit("message", Buffer.from('{"event":"media","media":{"payload":42}}'), false);
    socket.emit("message", Buffer.from("not json"), false);
    socket.emit("message", Buffer.from(JSON.stringify({ event: "media", media: { payload: "AAAA" } })), true);
    expect(got.frames).toEqual([audio]);
  });

  it("sends our audio as base64 media on the stream, and clear as a clear frame", () => {
    const { socket, stream } = setup();
    stream.send(new Uint8Array(320).fill(1));
    stream.clear();
    expect(socket.sent[0]).toMatchObject({ event: "media", stream_id: "s1" });
    expect(Buffer.from(socket.sent[0]?.media?.payload ?? "", "base64")).toHaveLength(320);
    expect(socket.sent[1]).toMatchObject({ event: "clear" });
  });

  it("names the stream in outgoing messages as JSON, whatever its id holds", async () => {
    const socket = new FakeSocket();
    const stream = new TelnyxMediaStream(socket, () => true);
    stream.send(new Uint8Array([1, 2, 3]));
    socket.frame({ event: "start", stream_id: 'a"b\\c' });
    await nextTurn();
    stream.send(new Uint8Array(9000).fill(7));
    expect(socket.sent[0]).toEqual({ event: "media", media: { payload: "AQID" } });
    expect(
      socket.sent.slice(1).map((m) => [m.stream_id, Buffer.from(m.media?.payload ?? "", "base64")]),
    ).toEqual([
      ['a"b\\c', Buffer.alloc(8000, 7)],
      ['a"b\\c', Buffer.alloc(1000, 7)],
    ]);
  });

  it("sends audio that comes in a burst as one message after the first, in order with marks", async () => {
    const { socket, stream } = setup();
    const audio = (n: number, byte: number) => new Uint8Array(n).fill(byte);
    stream.send(audio(800, 1));
    stream.send(audio(800, 2));
    stream.send(audio(400, 3));
    // The first piece goes at once: a reply's first audio waits for nothing.
    expect(socket.sent).toHaveLength(1);
    stream.mark("chunk");
    stream.send(audio(800, 4));
    await nextTurn();
    const wire = socket.sent.map((m) => m.mark?.name ?? [...Buffer.from(m.media?.payload ?? "", "base64")]);
    expect(wire).toEqual([
      [...audio(800, 1)],
      [...audio(800, 2), ...audio(400, 3)],
      expect.stringMatching(/^chunk#/),
      [...audio(800, 4)],
    ]);
    // A later turn starts a burst of its own.
    stream.send(audio(160, 5));
    expect(socket.sent).toHaveLength(5);
  });

  it("holds audio while the far end has enough to play, until it is nearly through or a mark follows", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "performance"] });
    const { socket, stream } = setup();
    const audio = (ms: number, byte: number) => new Uint8Array(ms * 8).fill(byte);
    const wire = () =>
      socket.sent.map((m) => m.mark?.name ?? Buffer.from(m.media?.payload ?? "", "base64").length);
    stream.send(audio(1000, 1));
    vi.advanceTimersByTime(100);
    // 900 ms still to play: these wait, and go together once 300 ms are left.
    stream.send(audio(100, 2));
    stream.send(audio(100, 3));
    vi.advanceTimersByTime(599);
    expect(wire()).toEqual([8000]);
    vi.advanceTimersByTime(1);
    expect(wire()).toEqual([8000, 1600]);
    // A mark sends what waits before it: it follows that audio.
    stream.send(audio(100, 4));
    stream.mark("chunk");
    expect(wire()).toEqual([8000, 1600, 800, expect.stringMatching(/^chunk#/)]);
    // A clear empties the far end: what comes next goes at once.
    stream.send(audio(100, 5));
    stream.clear();
    stream.send(audio(100, 6));
    vi.advanceTimersByTime(1000);
    expect(wire()).toEqual([8000, 1600, 800, expect.stringMatching(/^chunk#/), 0, 800]);
  });

  it("never sends audio gathered before a clear or after the stream closed", async () => {
    const { socket, stream } = setup();
    stream.send(new Uint8Array(160).fill(1));
    stream.send(new Uint8Array(160).fill(2));
    stream.clear();
    stream.send(new Uint8Array(160).fill(3));
    stream.close();
    await nextTurn();
    expect(socket.sent.map((m) => m.event)).toEqual(["media", "clear"]);
  });

  it("reports a mark by the caller's name once Telnyx echoes it, but not marks cleared before playing", () => {
    const { socket, stream, got } = setup();
    stream.mark("one");
    const wireOne = socket.sent[0]?.mark?.name;
    stream.mark("two");
    const wireTwo = socket.sent[1]?.mark?.name;
    socket.frame({ event: "mark", mark: { name: wireOne } });
    stream.clear();
    socket.frame({ event: "mark", mark: { name: wireTwo } });
    expect(got.marks).toEqual(["one"]);
  });

  it("passes on keypad digits", () => {
    const { socket, got } = setup();
    socket.frame({ event: "dtmf", dtmf: { digit: "7" } });
    expect(got.digits).toEqual(["7"]);
  });

  it("a socket that closes under a live call without stop is a drop; after stop it is a hang-up", () => {
    const a = setup(true);
    a.socket.emit("close");
    expect(a.got.closes).toEqual(["dropped"]);
    const b = setup(true);
    b.socket.frame({ event: "stop" });
    b.socket.emit("close");
    expect(b.got.closes).toEqual(["hangup"]);
    const c = setup(false);
    c.socket.emit("close");
    expect(c.got.closes).toEqual(["hangup"]);
  });

  it("a drop before the conversation attached is still reported to it once it does", async () => {
    const socket = new FakeSocket();
    const stream = new TelnyxMediaStream(socket, () => true);
    socket.frame({ event: "start", stream_id: "s1", start: { media_format: { encoding: "PCMU" } } });
    socket.emit("close");
    const closes: string[] = [];
    stream.attach({ onAudio: () => {}, onClose: (r) => closes.push(r) });
    await Promise.resolve();
    expect(closes).toEqual(["dropped"]);
  });

  it("closing it ourselves reports nothing back", () => {
    const { socket, stream, got } = setup();
    stream.close();
    socket.emit("close");
    expect(socket.closed).toBe(true);
    expect(got.closes).toEqual([]);
  });
});
