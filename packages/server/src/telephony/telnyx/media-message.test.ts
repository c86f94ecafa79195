import { describe, expect, it } from "vitest";
import { MediaMessageReader, NO_AUDIO, NOT_READ } from "./media-message.ts";

/** What the general path (JSON.parse) makes of a message: the callee's audio, or null for none. */
function general(raw: Buffer): Buffer | null {
  let frame: { event?: unknown; media?: { track?: unknown; payload?: unknown } };
  try {
    frame = JSON.parse(raw.toString("utf8"));
  } catch {
    return null;
  }
  if (frame?.event !== "media") return null;
  const payload = frame.media?.payload;
  if (typeof payload !== "string" || !payload || (frame.media?.track && frame.media.track !== "inbound"))
    return null;
  return Buffer.from(payload, "base64");
}

function audio(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 37 + seed * 11) & 0xff;
  return b;
}

/** A media message as Telnyx sends it. */
function telnyx(bytes: Buffer, track = "inbound"): string {
  return JSON.stringify({
    event: "media",
    sequence_number: "4",
    media: { track, chunk: "2", timestamp: "5", payload: bytes.toString("base64") },
    stream_id: "32de0dea-53cb-4b21-89a4-9458b2b2b4e4",
  });
}

function read(reader: MediaMessageReader, text: string | Buffer): Buffer | number {
  const n = reader.read(Buffer.isBuffer(text) ? text : Buffer.from(text));
  return n > 0 ? Buffer.from(reader.decoded.subarray(0, n)) : n;
}

describe("Telnyx media message reader", () => {
  it("reads the callee's audio from Telnyx's media messages", () => {
    const reader = new MediaMessageReader();
    const frame = audio(160);
    expect(read(reader, telnyx(frame))).toEqual(frame);
  });

  it("reads payloads of several frames and payloads that need padding", () => {
    const reader = new MediaMessageReader();
    for (const n of [480, 8000, 161, 162, 1, 2, 3]) {
      const bytes = audio(n, n);
      expect(read(reader, telnyx(bytes))).toEqual(bytes);
    }
  });

  it("reuses its buffer: each read overwrites the last one's audio", () => {
    const reader = new MediaMessageReader();
    reader.read(Buffer.from(telnyx(audio(160, 1))));
    const first = reader.decoded;
    reader.read(Buffer.from(telnyx(audio(160, 2))));
    expect(reader.decoded).toBe(first);
    expect(first.subarray(0, 160)).toEqual(audio(160, 2));
  });

  it("has no audio for our own track echoed back, nor for empty or missing payloads", () => {
    const reader = new MediaMessageReader();
    expect(read(reader, telnyx(audio(160), "outbound"))).toBe(NO_AUDIO);
    expect(read(reader, '{"event":"media","media":{"track":"inbound","payload":""}}')).toBe(NO_AUDIO);
    expect(read(reader, '{"event":"media","media":{"track":"inbound"}}')).toBe(NO_AUDIO);
    expect(read(reader, '{"event":"media","media":{}}')).toBe(NO_AUDIO);
    expect(read(reader, '{"event":"media","media":null}')).toBe(NO_AUDIO);
    expect(read(reader, '{"event":"media"}')).toBe(NO_AUDIO);
  });

  it("takes a missing or empty track for the callee's, as the general path does", () => {
    const reader = new MediaMessageReader();
    const p = audio(160).toString("base64");
    expect(read(reader, `{"event":"media","media":{"payload":"${p}"}}`)).toEqual(audio(160));
    expect(read(reader, `{"event":"media","media":{"track":"","payload":"${p}"}}`)).toEqual(audio(160));
  });

  it("follows JSON where it reads: spacing, key order, and the last of repeated keys", () => {
    const reader = new MediaMessageReader();
    const a = audio(160, 1).toString("base64");
    const b = audio(160, 2).toString("base64");
    const cases = [
      ` {\n  "media" : { "payload" : "${a}" , "track" : "inbound" } ,\r\n\t"event" : "media" }\n`,
      `{"event":"media","media":{"payload":"${a}","payload":"${b}"}}`,
      `{"event":"media","media":{"payload":"${b}"},"media":{"payload":"${a}","track":"outbound"}}`,
      `{"event":"stop","event":"media","n":-1.5e+3,"t":true,"f":false,"z":null,"media":{"payload":"${a}"}}`,
    ];
    for (const text of cases) {
      const got = reader.read(Buffer.from(text));
      const want = general(Buffer.from(text));
      expect(got, text).not.toBe(NOT_READ);
      expect(got === NO_AUDIO ? null : Buffer.from(reader.decoded.subarray(0, got)), text).toEqual(want);
    }
  });

  it("leaves every other event, and anything it cannot read exactly, to the general path", () => {
    const reader = new MediaMessageReader();
    const p = audio(160).toString("base64");
    const others = [
      '{"event":"start","stream_id":"s1","start":{"media_format":{"encoding":"PCMU"}}}',
      '{"event":"mark","mark":{"name":"a#1"}}',
      '{"event":"dtmf","dtmf":{"digit":"1"}}',
      '{"event":"stop"}',
      `{"event":"media","event":"mark","media":{"payload":"${p}"}}`,
      // Escapes: the general path would unescape them.
      `{"event":"media","media":{"payload":"${p.slice(0, 8)}\\/${p.slice(9)}"}}`,
      `{"\\u0065vent":"media","media":{"payload":"${p}"}}`,
      `{"event":"m\\u0065dia","media":{"payload":"${p}"}}`,
      `{"event":"media","media":{"track":"in\\u0062ound","payload":"${p}"}}`,
      // Nesting, and values of other types where it looks.
      `{"event":"media","extra":{"a":1},"media":{"payload":"${p}"}}`,
      `{"event":"media","extra":[1],"media":{"payload":"${p}"}}`,
      `{"event":"media","media":{"payload":12}}`,
      `{"event":"media","media":{"track":1,"payload":"${p}"}}`,
      // Base64 the general path decodes leniently: no padding, other alphabets, spaces, junk.
      `{"event":"media","media":{"payload":"${p.replace(/=+$/, "")}A"}}`,
      `{"event":"media","media":{"payload":"QUJD-_"}}`,
      `{"event":"media","media":{"payload":"QUJD RA=="}}`,
      `{"event":"media","media":{"payload":"QU=D"}}`,
      `{"event":"media","media":{"payload":"QUJ\u00e9"}}`,
      // Malformed.
      `{"event":"media","media":{"payload":"${p}"}`,
      `{"event":"media","media":{"payload":"${p}"}}x`,
      `{"event":"media","media":{"payload":"${p}"},}`,
      `{"event":"media","n":01,"media":{"payload":"${p}"}}`,
      `{"event":"media","n":1.,"media":{"payload":"${p}"}}`,
      `{"event":"media","n":tru,"media":{"payload":"${p}"}}`,
      `{event:"media","media":{"payload":"${p}"}}`,
      `{"event":"media","note":"a\tb","media":{"payload":"${p}"}}`,
      `{"event":"media" "media":{"payload":"${p}"}}`,
      `["event","media"]`,
      "{}",
      "",
      "\ufeff{}",
    ];
    for (const text of others) expect(reader.read(Buffer.from(text)), text).toBe(NOT_READ);
  });

  it("agrees with the general path on every message it reads, however a valid one is damaged", () => {
    const reader = new MediaMessageReader();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = Buffer.from('{}[]":,\\ \n0123456789-+.eEtrufalsnAZaz+/=\u00ff');
    let read = 0;
    for (let round = 0; round < 3000; round++) {
      const base = Buffer.from(
        telnyx(audio(1 + random(400), round), random(4) === 0 ? "outbound" : "inbound"),
      );
      const damaged = Buffer.from(base);
      const edits = random(3);
      let message: Buffer = damaged;
      for (let e = 0; e < edits; e++) {
        const at = random(message.length);
        const kind = random(3);
        if (kind === 0) message[at] = alphabet[random(alphabet.length)]!;
        else if (kind === 1) message = Buffer.concat([message.subarray(0, at), message.subarray(at + 1)]);
        else
          message = Buffer.concat([
            message.subarray(0, at),
            alphabet.subarray(random(alphabet.length)).subarray(0, 1),
            message.subarray(at),
          ]);
      }
      const got = reader.read(message);
      if (got === NOT_READ) continue;
      read++;
      const want = general(message);
      expect(
        got === NO_AUDIO ? null : Buffer.from(reader.decoded.subarray(0, got)),
        message.toString(),
      ).toEqual(want !== null && want.length === 0 ? null : want);
    }
    // Most damage leaves the message readable (inside the payload, a timestamp): the comparison ran.
    expect(read).toBeGreaterThan(500);
  });
});
