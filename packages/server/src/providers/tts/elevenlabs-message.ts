/**
 * ElevenLabs' messages on multi-stream-input, as the stream acts on them: a context's audio, its end, or
 * the vendor's error. Audio messages, several a second while the agent speaks, also carry the alignment
 * of every character (arrays of one-letter strings and their times) that nothing here uses: the fast
 * path reads them from their bytes without building those arrays, the audio's base64 string or a copy.
 */
import {
  base64Size,
  bytesOf,
  decodeBase64,
  JsonBytes,
  plain,
  QUOTE,
  type Span,
} from "../../media/json-bytes.ts";

/** The server's messages as JSON.parse gives them (the general path). */
export interface ElevenLabsStreamMessage {
  audio?: string | null;
  isFinal?: boolean | null;
  is_final?: boolean | null;
  contextId?: string;
  context_id?: string;
  error?: string;
  message?: string;
}

/** What one message says to its context. */
export interface ContextMessage {
  /** The vendor's error; the rest is then not read. */
  error?: ElevenLabsStreamMessage;
  /** Decoded audio, or null when the message has none. */
  audio: Uint8Array | null;
  final: boolean;
}

/** A message for a context, or a message for the connection (its context undefined). */
export interface RoutedMessage {
  context: string | undefined;
  /** For the connection: the message as sent, to tell an error from anything else. */
  raw?: ElevenLabsStreamMessage;
  said: ContextMessage;
}

const AUDIO = bytesOf("audio");
const IS_FINAL = bytesOf("isFinal");
const IS_FINAL_SNAKE = bytesOf("is_final");
const CONTEXT_ID = bytesOf("contextId");
const CONTEXT_ID_SNAKE = bytesOf("context_id");
const ERROR = bytesOf("error");

/** What the general path makes of a parsed message. */
export function routeParsed(message: ElevenLabsStreamMessage): RoutedMessage {
  const named: unknown = message.contextId ?? message.context_id;
  const context = typeof named === "string" ? named : undefined;
  if (message.error !== undefined)
    return { context, raw: message, said: { error: message, audio: null, final: false } };
  const audio =
    typeof message.audio === "string" && message.audio.length > 0
      ? new Uint8Array(Buffer.from(message.audio, "base64"))
      : null;
  return {
    context,
    raw: message,
    said: { audio, final: message.isFinal === true || message.is_final === true },
  };
}

/**
 * Reads the messages of one connection. The fast path answers for a JSON object naming its context with
 * a plain string, with padded standard base64 (or null) for audio, a flag (or null) for its end, no
 * error, and any valid JSON elsewhere; anything else goes to JSON.parse.
 */
export class ElevenLabsMessageReader {
  private readonly json = new JsonBytes();
  private readonly key: Span = { start: 0, end: 0 };
  private readonly audio: Span = { start: -1, end: -1 };
  private readonly context: Span = { start: -1, end: -1 };
  private readonly contextSnake: Span = { start: -1, end: -1 };
  private final: boolean | null = null;
  private finalSnake: boolean | null = null;

  /**
   * What the message says and to whom; null when it says nothing anyone hears: not JSON, or (read
   * quickly) for a context not `wanted` (a reply cut off), whose audio is then not decoded at all.
   */
  read(message: Buffer, wanted: (context: string) => boolean): RoutedMessage | null {
    const fast = this.fast(message, wanted);
    if (fast !== undefined) return fast;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.toString());
    } catch {
      return null;
    }
    if (parsed === null || typeof parsed !== "object") return null;
    return routeParsed(parsed as ElevenLabsStreamMessage);
  }

  /** The message read from its bytes; undefined when it is not one this path reads exactly. */
  private fast(message: Buffer, wanted: (context: string) => boolean): RoutedMessage | null | undefined {
    const json = this.json;
    json.start(message);
    try {
      if (!this.scan()) return undefined;
      const named = this.context.start >= 0 ? this.context : this.contextSnake;
      if (named.start < 0) return undefined;
      const { start, end } = this.audio;
      const size = start >= 0 ? base64Size(message, start, end) : 0;
      if (size < 0) return undefined;
      const context = message.toString("utf8", named.start, named.end);
      if (!wanted(context)) return null;
      let audio: Uint8Array | null = null;
      if (size > 0) {
        audio = new Uint8Array(size);
        if (!decodeBase64(message, start, end, audio)) return undefined;
      }
      return { context, said: { audio, final: this.final === true || this.finalSnake === true } };
    } finally {
      json.release();
    }
  }

  /** A whole, valid JSON object whose fields this path reads are all of the kinds it reads. */
  private scan(): boolean {
    this.audio.start = this.context.start = this.contextSnake.start = -1;
    this.final = this.finalSnake = null;
    const json = this.json;
    return json.members(this.key, this.member) && json.atEnd();
  }

  private readonly member = ({ start, end }: Span): boolean => {
    const json = this.json;
    if (json.equals(start, end, AUDIO)) {
      // Audio replaced by a later one is never decoded, so it is checked here instead (rare).
      if (this.audio.start >= 0 && !plain(json.bytes, this.audio.start, this.audio.end)) return false;
      if (json.peek() === QUOTE) return json.readLongString(this.audio);
      this.audio.start = -1;
      return json.literal("null");
    }
    if (json.equals(start, end, CONTEXT_ID)) return json.readString(this.context);
    if (json.equals(start, end, CONTEXT_ID_SNAKE)) return json.readString(this.contextSnake);
    if (json.equals(start, end, IS_FINAL)) {
      const flag = this.flag();
      if (flag === undefined) return false;
      this.final = flag;
      return true;
    }
    if (json.equals(start, end, IS_FINAL_SNAKE)) {
      const flag = this.flag();
      if (flag === undefined) return false;
      this.finalSnake = flag;
      return true;
    }
    // An error takes the general path, which reports it as it always has.
    if (json.equals(start, end, ERROR)) return false;
    return json.skipValue();
  };

  /** true, false or null; undefined for anything else. */
  private flag(): boolean | null | undefined {
    const json = this.json;
    const b = json.peek();
    if (b === 0x74) return json.literal("true") ? true : undefined;
    if (b === 0x66) return json.literal("false") ? false : undefined;
    if (b === 0x6e) return json.literal("null") ? null : undefined;
    return undefined;
  }
}
