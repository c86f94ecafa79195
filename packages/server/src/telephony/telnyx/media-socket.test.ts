import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { type MediaSocket, TelnyxMediaStream } from "./media-socket.ts";

type Sent = { event: string; media?: { payload: string }; mark?: { name: string } };

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
  const got = { audio: 0, digits: [] as string[], marks: [] as string[], closes: [] as string[] };
  stream.attach({
    onAudio: (f) => {
      got.audio += f.length;
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
  it("passes on the callee's audio and ignores our own echoed outbound track", () => {
    const { socket, got } = setup();
    socket.frame({ event: "media", media: { track: "inbound", payload: payload(160) } });
    socket.frame({ event: "media", media: { track: "outbound", payload: payload(160) } });
    expect(got.audio).toBe(160);
  });

  it("sends our audio as base64 media on the stream, and clear as a clear frame", () => {
    const { socket, stream } = setup();
    stream.send(new Uint8Array(320).fill(1));
    stream.clear();
    expect(socket.sent[0]).toMatchObject({ event: "media", stream_id: "s1" });
    expect(Buffer.from(socket.sent[0]?.media?.payload ?? "", "base64")).toHaveLength(320);
    expect(socket.sent[1]).toMatchObject({ event: "clear" });
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
