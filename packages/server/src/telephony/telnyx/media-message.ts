/**
 * The fast path for Telnyx's inbound `media` messages, fifty a second on every call: the callee's audio
 * is found and decoded straight from the message's bytes, without building the JSON tree, the payload
 * string or a fresh buffer for each frame.
 *
 * It reads only messages it can read exactly: strict JSON whose top-level `event` is "media", with
 * plain (unescaped) strings where it looks, flat values elsewhere and a padded standard base64 payload.
 * Anything else (other events, escapes, nesting, odd encodings, malformed text) is left to JSON.parse,
 * so whatever this path answers is what the general path would have made of the same message.
 */

/** The message is not one this reader answers for: parse it as JSON. */
export const NOT_READ = -1;
/** A media message with nothing for the callee's side (our own echoed track, an empty payload). */
export const NO_AUDIO = 0;

const EMPTY = new Uint8Array(0);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const EQUALS = 0x3d;

// -1: not in the standard alphabet (padding is handled apart).
const BASE64 = new Int8Array(256).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((c, i) => {
  BASE64[c.charCodeAt(0)] = i;
});

const EVENT = bytesOf("event");
const MEDIA = bytesOf("media");
const TRACK = bytesOf("track");
const PAYLOAD = bytesOf("payload");
const INBOUND = bytesOf("inbound");

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** A string's contents as [start, end) in the message: set by `readString`. */
interface Span {
  start: number;
  end: number;
}

/**
 * Reads Telnyx media messages into one buffer it reuses: the audio a call returns is valid until the
 * next call. One reader per stream.
 */
export class MediaMessageReader {
  private audio = Buffer.allocUnsafe(0);
  private pos = 0;
  private bytes: Uint8Array = EMPTY;
  private readonly key: Span = { start: 0, end: 0 };
  private readonly value: Span = { start: 0, end: 0 };
  private trackStart = -1;
  private trackEnd = -1;
  private payloadStart = -1;
  private payloadEnd = -1;
  /** The last top-level `media` value was an object (its last `track` and `payload` are kept above). */
  private mediaObject = false;

  /**
   * For a media message this reader can read exactly: the number of the callee's audio bytes now at the
   * start of `decoded` (NO_AUDIO when there are none); NOT_READ for anything else.
   */
  read(message: Uint8Array): number {
    this.bytes = message;
    this.pos = 0;
    const found = this.scan();
    // Not kept past the call: the socket's receive buffers are its own.
    this.bytes = EMPTY;
    if (!found) return NOT_READ;
    if (!this.mediaObject || this.payloadStart < 0) return NO_AUDIO;
    // Same rule as the general path: a named track other than "inbound" is our own audio coming back.
    if (this.trackStart >= 0 && this.trackEnd > this.trackStart) {
      if (!equals(message, this.trackStart, this.trackEnd, INBOUND)) return NO_AUDIO;
    }
    return this.decode(message, this.payloadStart, this.payloadEnd);
  }

  /** The buffer `read` decoded into; reused by the next `read`. */
  get decoded(): Buffer {
    return this.audio;
  }

  /** True for a whole, valid JSON object whose last top-level `event` is "media". */
  private scan(): boolean {
    this.trackStart = this.trackEnd = this.payloadStart = this.payloadEnd = -1;
    this.mediaObject = false;
    let isMedia = false;
    if (!this.expect(OPEN_BRACE)) return false;
    if (this.peek() === CLOSE_BRACE) return false;
    for (;;) {
      if (!this.readString(this.key) || !this.expect(COLON)) return false;
      const { start, end } = this.key;
      if (equals(this.bytes, start, end, EVENT)) {
        if (this.peek() !== QUOTE) {
          if (!this.skipFlat()) return false;
          isMedia = false;
        } else {
          if (!this.readString(this.value)) return false;
          isMedia = equals(this.bytes, this.value.start, this.value.end, MEDIA);
        }
      } else if (equals(this.bytes, start, end, MEDIA)) {
        if (this.peek() === OPEN_BRACE) {
          if (!this.readMedia()) return false;
        } else {
          if (!this.skipFlat()) return false;
          this.mediaObject = false;
        }
      } else if (!this.skipFlat()) return false;
      const next = this.next();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return false;
    }
    this.skipSpace();
    return this.pos === this.bytes.length && isMedia;
  }

  /** The `media` object: its `track` and `payload` strings, the last of each. */
  private readMedia(): boolean {
    this.expect(OPEN_BRACE);
    // The payload of a `media` replaced by this one is never decoded: checked here instead (rare).
    if (this.payloadStart >= 0 && !plain(this.bytes, this.payloadStart, this.payloadEnd)) return false;
    this.mediaObject = true;
    this.trackStart = this.trackEnd = this.payloadStart = this.payloadEnd = -1;
    if (this.peek() === CLOSE_BRACE) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (!this.readString(this.key) || !this.expect(COLON)) return false;
      const { start, end } = this.key;
      const track = equals(this.bytes, start, end, TRACK);
      const payload = !track && equals(this.bytes, start, end, PAYLOAD);
      if (track) {
        // A number, a flag or null here would take the general path's odd turns: leave those to it.
        if (!this.readString(this.value)) return false;
        this.trackStart = this.value.start;
        this.trackEnd = this.value.end;
      } else if (payload) {
        // One replaced by a later one is never decoded, so it is checked here instead (rare).
        if (this.payloadStart >= 0 && !plain(this.bytes, this.payloadStart, this.payloadEnd)) return false;
        if (!this.readPayload()) return false;
      } else if (!this.skipFlat()) return false;
      const next = this.next();
      if (next === CLOSE_BRACE) return true;
      if (next !== COMMA) return false;
    }
  }

  /**
   * The payload, the bulk of the message, found by a native search for its closing quote. Its contents
   * are checked when decoded: only base64's alphabet passes, so no escape or control character does.
   * A quote right after a backslash might be escaped: left to the general path.
   */
  private readPayload(): boolean {
    if (this.next() !== QUOTE) return false;
    const start = this.pos;
    const end = this.bytes.indexOf(QUOTE, start);
    if (end < 0 || this.bytes[end - 1] === BACKSLASH) return false;
    this.payloadStart = start;
    this.payloadEnd = end;
    this.pos = end + 1;
    return true;
  }

  /** A string without escapes or control characters; its contents go to `span`. */
  private readString(span: Span): boolean {
    if (this.next() !== QUOTE) return false;
    const bytes = this.bytes;
    const start = this.pos;
    for (let i = start; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === QUOTE) {
        span.start = start;
        span.end = i;
        this.pos = i + 1;
        return true;
      }
      if (b === BACKSLASH || b < 0x20) return false;
    }
    return false;
  }

  /** A value this reader does not look into: a plain string, a number, true, false or null. */
  private skipFlat(): boolean {
    const b = this.peek();
    if (b === QUOTE) return this.readString(this.value);
    if (b === 0x74) return this.literal("true");
    if (b === 0x66) return this.literal("false");
    if (b === 0x6e) return this.literal("null");
    return this.number();
  }

  private literal(word: string): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < word.length; i++) if (bytes[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  /** JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private number(): boolean {
    const bytes = this.bytes;
    let i = this.pos;
    if (bytes[i] === 0x2d) i++;
    if (bytes[i] === 0x30) i++;
    else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
    else return false;
    if (bytes[i] === 0x2e) {
      i++;
      if (!isDigit(bytes[i])) return false;
      while (isDigit(bytes[i])) i++;
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      i++;
      if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
      if (!isDigit(bytes[i])) return false;
      while (isDigit(bytes[i])) i++;
    }
    this.pos = i;
    return true;
  }

  private skipSpace(): void {
    const bytes = this.bytes;
    while (this.pos < bytes.length && isSpace(bytes[this.pos]!)) this.pos++;
  }

  private peek(): number {
    this.skipSpace();
    return this.pos < this.bytes.length ? this.bytes[this.pos]! : -1;
  }

  private next(): number {
    const b = this.peek();
    if (b >= 0) this.pos++;
    return b;
  }

  private expect(b: number): boolean {
    return this.next() === b;
  }

  /**
   * Standard base64 with its padding, decoded into the reused buffer; NOT_READ for anything else (the
   * general path's decoder is lenient about those, and is left to be).
   */
  private decode(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === 0) return NO_AUDIO;
    if (length % 4 !== 0) return NOT_READ;
    let padding = 0;
    if (bytes[end - 1] === EQUALS) padding = bytes[end - 2] === EQUALS ? 2 : 1;
    const size = (length / 4) * 3 - padding;
    if (this.audio.length < size) this.audio = Buffer.allocUnsafe(Math.max(size, this.audio.length * 2));
    const out = this.audio;
    let o = 0;
    const whole = padding > 0 ? end - 4 : end;
    for (let i = start; i < whole; i += 4) {
      const a = BASE64[bytes[i]!]!;
      const b = BASE64[bytes[i + 1]!]!;
      const c = BASE64[bytes[i + 2]!]!;
      const d = BASE64[bytes[i + 3]!]!;
      if ((a | b | c | d) < 0) return NOT_READ;
      const n = (a << 18) | (b << 12) | (c << 6) | d;
      out[o++] = n >> 16;
      out[o++] = (n >> 8) & 0xff;
      out[o++] = n & 0xff;
    }
    if (padding > 0) {
      const a = BASE64[bytes[end - 4]!]!;
      const b = BASE64[bytes[end - 3]!]!;
      const c = padding === 1 ? BASE64[bytes[end - 2]!]! : 0;
      if ((a | b | c) < 0) return NOT_READ;
      const n = (a << 18) | (b << 12) | (c << 6);
      out[o++] = n >> 16;
      if (padding === 1) out[o++] = (n >> 8) & 0xff;
    }
    return o;
  }
}

/** Contents that make a JSON string as they stand: no escapes, no control characters. */
function plain(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] === BACKSLASH || bytes[i]! < 0x20) return false;
  return true;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function equals(bytes: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[start + i] !== word[i]) return false;
  return true;
}
