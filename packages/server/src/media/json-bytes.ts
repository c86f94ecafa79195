/**
 * Reading vendors' JSON audio messages straight from their bytes: a strict cursor over one message, and
 * base64 decoded from the bytes themselves. The carrier's and the synthesiser's audio messages come many
 * times a second on every call; this spares each one the JSON tree, the strings in it and a decoded copy.
 *
 * A reader built on this answers only for what it can read exactly and leaves everything else to
 * JSON.parse, so whatever it answers is what the general path would have made of the same message.
 */

const EMPTY = new Uint8Array(0);
/** The punctuation a reader meets between values (a reader looks at the first two itself). */
export const QUOTE = 0x22;
export const OPEN_BRACE = 0x7b;
const COMMA = 0x2c;
const COLON = 0x3a;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
/** Nesting this deep in a value the reader skips is left to JSON.parse. */
const MAX_DEPTH = 32;

// -1: not in the standard alphabet (padding is handled apart).
const BASE64 = new Int8Array(256).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((c, i) => {
  BASE64[c.charCodeAt(0)] = i;
});

/** A WebSocket message's bytes in one buffer, however `ws` hands them over. */
export function messageBytes(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

export function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A string's contents as [start, end) in the message: set by `JsonBytes.readString`. */
export interface Span {
  start: number;
  end: number;
}

/**
 * A cursor over one JSON text's bytes. Every method that reads returns false for anything that is not
 * valid JSON, or that it does not read (a string with escapes, where the contents are wanted).
 */
export class JsonBytes {
  bytes: Uint8Array = EMPTY;
  pos = 0;

  start(message: Uint8Array): void {
    this.bytes = message;
    this.pos = 0;
  }

  /** Lets go of the message: the socket's receive buffers are its own. */
  release(): void {
    this.bytes = EMPTY;
  }

  /** Nothing but whitespace is left. */
  atEnd(): boolean {
    this.skipSpace();
    return this.pos === this.bytes.length;
  }

  /** A string without escapes or control characters; its contents go to `span`. */
  readString(span: Span): boolean {
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

  /**
   * A string that is wanted whole and long (base64 audio), found by a native search for its closing
   * quote. Its contents are checked when decoded: only base64's alphabet passes, so no escape or control
   * character does. A quote right after a backslash might be escaped: not read.
   */
  readLongString(span: Span): boolean {
    if (this.next() !== QUOTE) return false;
    const start = this.pos;
    const end = this.bytes.indexOf(QUOTE, start);
    if (end < 0 || this.bytes[end - 1] === BACKSLASH) return false;
    span.start = start;
    span.end = end;
    this.pos = end + 1;
    return true;
  }

  /**
   * An object, member by member: `visit` is called with each key (a plain string, in `key`) once the
   * cursor is past its colon, and must read the value; false from it, or anything not JSON, is false.
   */
  members(key: Span, visit: (key: Span) => boolean): boolean {
    if (!this.expect(OPEN_BRACE)) return false;
    if (this.peek() === CLOSE_BRACE) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (!this.readString(key) || !this.expect(COLON) || !visit(key)) return false;
      const next = this.next();
      if (next === CLOSE_BRACE) return true;
      if (next !== COMMA) return false;
    }
  }

  /** A value not looked into: a plain string, a number, true, false or null (nothing nested). */
  skipFlat(scratch: Span): boolean {
    const b = this.peek();
    if (b === QUOTE) return this.readString(scratch);
    return this.skipScalar(b);
  }

  /** Any JSON value, nested or not, escapes and all, not looked into. */
  skipValue(depth = 0): boolean {
    const b = this.peek();
    if (b === QUOTE) return this.skipString();
    if (b === 0x7b || b === 0x5b) {
      if (depth >= MAX_DEPTH) return false;
      const object = b === 0x7b;
      const close = object ? 0x7d : 0x5d;
      this.pos++;
      if (this.peek() === close) {
        this.pos++;
        return true;
      }
      for (;;) {
        if (object && (!this.skipString() || !this.expect(COLON))) return false;
        if (!this.skipValue(depth + 1)) return false;
        const next = this.next();
        if (next === close) return true;
        if (next !== COMMA) return false;
      }
    }
    return this.skipScalar(b);
  }

  /** true, false, null or a number, starting with the byte `b`. */
  private skipScalar(b: number): boolean {
    if (b === 0x74) return this.literal("true");
    if (b === 0x66) return this.literal("false");
    if (b === 0x6e) return this.literal("null");
    return this.number();
  }

  /** A string with JSON's escapes, checked and not decoded. */
  private skipString(): boolean {
    if (this.next() !== QUOTE) return false;
    const bytes = this.bytes;
    for (let i = this.pos; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === QUOTE) {
        this.pos = i + 1;
        return true;
      }
      if (b < 0x20) return false;
      if (b !== BACKSLASH) continue;
      const e = bytes[++i];
      if (e === 0x75) {
        for (let k = 0; k < 4; k++) if (!isHex(bytes[++i])) return false;
      } else if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return false;
    }
    return false;
  }

  literal(word: string): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < word.length; i++) if (bytes[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  /** JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  number(): boolean {
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

  skipSpace(): void {
    const bytes = this.bytes;
    while (this.pos < bytes.length && isSpace(bytes[this.pos]!)) this.pos++;
  }

  peek(): number {
    this.skipSpace();
    return this.pos < this.bytes.length ? this.bytes[this.pos]! : -1;
  }

  next(): number {
    const b = this.peek();
    if (b >= 0) this.pos++;
    return b;
  }

  expect(b: number): boolean {
    return this.next() === b;
  }

  /** The bytes of [start, end) are exactly `word`. */
  equals(start: number, end: number, word: Uint8Array): boolean {
    if (end - start !== word.length) return false;
    const bytes = this.bytes;
    for (let i = 0; i < word.length; i++) if (bytes[start + i] !== word[i]) return false;
    return true;
  }
}

/** Contents that make a JSON string as they stand: no escapes, no control characters. */
export function plain(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] === BACKSLASH || bytes[i]! < 0x20) return false;
  return true;
}

/**
 * The size of the standard, padded base64 in [start, end) once decoded; -1 for anything else (Buffer's
 * decoder is lenient about those, and the general path is left to be).
 */
export function base64Size(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length % 4 !== 0) return -1;
  let padding = 0;
  if (length > 0 && bytes[end - 1] === EQUALS) padding = bytes[end - 2] === EQUALS ? 2 : 1;
  return (length / 4) * 3 - padding;
}

/**
 * Decodes the standard, padded base64 in [start, end) into `out` (room for `base64Size` bytes); false
 * when a character is not in its alphabet.
 */
export function decodeBase64(bytes: Uint8Array, start: number, end: number, out: Uint8Array): boolean {
  const padding = end > start && bytes[end - 1] === EQUALS ? (bytes[end - 2] === EQUALS ? 2 : 1) : 0;
  let o = 0;
  const whole = padding > 0 ? end - 4 : end;
  for (let i = start; i < whole; i += 4) {
    const a = BASE64[bytes[i]!]!;
    const b = BASE64[bytes[i + 1]!]!;
    const c = BASE64[bytes[i + 2]!]!;
    const d = BASE64[bytes[i + 3]!]!;
    if ((a | b | c | d) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (padding > 0) {
    const a = BASE64[bytes[end - 4]!]!;
    const b = BASE64[bytes[end - 3]!]!;
    const c = padding === 1 ? BASE64[bytes[end - 2]!]! : 0;
    if ((a | b | c) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6);
    out[o++] = n >> 16;
    if (padding === 1) out[o++] = (n >> 8) & 0xff;
  }
  return true;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function isHex(b: number | undefined): boolean {
  return (
    b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))
  );
}
