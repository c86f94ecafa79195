import { afterEach, describe, expect, it, vi } from "vitest";
import { ElevenLabsMessageReader, type RoutedMessage, routeParsed } from "./elevenlabs-message.ts";

function audio(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 37 + seed * 11) & 0xff;
  return b;
}

/** An audio message as multi-stream-input sends it: the audio, then every character's alignment. */
function vendorMessage(bytes: Buffer, text = "Great choice, I have booked", extra = {}): string {
  const chars = [...text];
  const alignment = {
    chars,
    charStartTimesMs: chars.map((_, i) => i * 58),
    charDurationsMs: chars.map(() => 58),
  };
  return JSON.stringify({
    audio: bytes.toString("base64"),
    normalizedAlignment: alignment,
    alignment,
    contextId: "reply-1",
    ...extra,
  });
}

const everyone = () => true;

/** What the general path alone makes of the text (null: not JSON, or not an object). */
function general(text: string): RoutedMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  return parsed !== null && typeof parsed === "object" ? routeParsed(parsed) : null;
}

/** The parts a listener acts on, comparable across the two paths. */
function heard(r: RoutedMessage | null) {
  if (r === null) return null;
  return {
    context: r.context,
    error: r.said.error,
    audio: r.said.audio === null ? null : Buffer.from(r.said.audio).toString("hex"),
    final: r.said.final,
  };
}

describe("ElevenLabs message reader", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reads an audio message from its bytes, alignment and all, without JSON.parse", () => {
    const parse = vi.spyOn(JSON, "parse");
    const reader = new ElevenLabsMessageReader();
    const sound = audio(800);
    const text = vendorMessage(sound, 'Say "hi" — café\n');
    const routed = reader.read(Buffer.from(text), everyone);
    expect(parse).not.toHaveBeenCalled();
    expect(routed?.context).toBe("reply-1");
    expect(Buffer.from(routed!.said.audio!)).toEqual(sound);
    expect(routed?.said.final).toBe(false);
  });

  it("reads the end of a context and audio-less messages as the general path does", () => {
    const reader = new ElevenLabsMessageReader();
    for (const text of [
      '{"isFinal":true,"contextId":"reply-1"}',
      '{"is_final":true,"context_id":"reply-2"}',
      '{"audio":null,"isFinal":null,"contextId":"reply-1"}',
      '{"audio":"","contextId":"reply-1"}',
      '{"contextId":"a","context_id":"b","isFinal":false,"is_final":true}',
      ` { "audio" : "${audio(30).toString("base64")}" , "contextId" : "x" , "isFinal" : true } `,
    ])
      expect(heard(reader.read(Buffer.from(text), everyone)), text).toEqual(heard(general(text)));
  });

  it("leaves every message it cannot read exactly to JSON.parse, with the same outcome", () => {
    const reader = new ElevenLabsMessageReader();
    const b64 = audio(31).toString("base64");
    const cases = [
      // Errors, for a context or for the whole connection.
      '{"error":"quota exceeded","message":"x","contextId":"reply-1"}',
      '{"message":"Unusual activity","error":"blocked"}',
      // The context named oddly: escaped, not a string, null (then the other spelling counts).
      '{"audio":"AAAA","contextId":"re\\u0070ly"}',
      '{"audio":"AAAA","contextId":7}',
      '{"audio":"AAAA","contextId":null,"context_id":"b"}',
      // Audio that is not plain padded base64, or not a string.
      `{"audio":"${b64.replace(/=+$/, "")}","contextId":"x"}`,
      '{"audio":"AA-_","contextId":"x"}',
      '{"audio":"AA\\nA","contextId":"x"}',
      '{"audio":5,"contextId":"x"}',
      '{"audio":"AAAA","audio":"AAAB","contextId":"x"}',
      '{"audio":"A\\u0041AA","audio":"AAAB","contextId":"x"}',
      // Flags that are not flags.
      '{"isFinal":1,"contextId":"x"}',
      '{"is_final":"true","contextId":"x"}',
      // Not JSON at all, or not an object.
      '{"audio":"AAAA","contextId":"x"',
      '{"audio":"AAAA","contextId":"x"} x',
      '{"audio":"AAAA","alignment":{"chars":["\\x"]},"contextId":"x"}',
      '{"audio":"AAAA","alignment":[1,],"contextId":"x"}',
      '{"audio":"AAAA","n":01,"contextId":"x"}',
      "[1,2]",
      "null",
      "",
      "{}",
    ];
    for (const text of cases)
      expect(heard(reader.read(Buffer.from(text), everyone)), text).toEqual(heard(general(text)));
  });

  it("does not decode the audio of a context nobody hears any more", () => {
    const reader = new ElevenLabsMessageReader();
    const text = Buffer.from(vendorMessage(audio(800)));
    expect(reader.read(text, (context) => context !== "reply-1")).toBeNull();
    expect(reader.read(text, everyone)?.said.audio?.length).toBe(800);
  });
});
