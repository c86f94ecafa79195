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

import {
  base64Size,
  bytesOf,
  decodeBase64,
  JsonBytes,
  OPEN_BRACE,
  plain,
  QUOTE,
  type Span,
} from "../../media/json-bytes.ts";

/** The message is not one this reader answers for: parse it as JSON. */
export const NOT_READ = -1;
/** A media message with nothing for the callee's side (our own echoed track, an empty payload). */
export const NO_AUDIO = 0;

const EVENT = bytesOf("event");
const MEDIA = bytesOf("media");
const TRACK = bytesOf("track");
const PAYLOAD = bytesOf("payload");
const INBOUND = bytesOf("inbound");

/**
 * Reads Telnyx media messages into one buffer it reuses: the audio a call returns is valid until the
 * next call. One reader per stream.
 */
export class MediaMessageReader {
  private audio = Buffer.allocUnsafe(0);
  private readonly json = new JsonBytes();
  private readonly key: Span = { start: 0, end: 0 };
  private readonly value: Span = { start: 0, end: 0 };
  private trackStart = -1;
  private trackEnd = -1;
  private payloadStart = -1;
  private payloadEnd = -1;
  /** The last top-level `media` value was an object (its last `track` and `payload` are kept above). */
  private mediaObject = false;
  /** The last top-level `event` was "media". */
  private isMedia = false;

  /**
   * For a media message this reader can read exactly: the number of the callee's audio bytes now at the
   * start of `decoded` (NO_AUDIO when there are none); NOT_READ for anything else.
   */
  read(message: Uint8Array): number {
    const json = this.json;
    json.start(message);
    try {
      if (!this.scan()) return NOT_READ;
      if (!this.mediaObject || this.payloadStart < 0) return NO_AUDIO;
      // Same rule as the general path: a named track other than "inbound" is our own audio coming back.
      if (this.trackStart >= 0 && this.trackEnd > this.trackStart) {
        if (!json.equals(this.trackStart, this.trackEnd, INBOUND)) return NO_AUDIO;
      }
      return this.decode(message, this.payloadStart, this.payloadEnd);
    } finally {
      json.release();
    }
  }

  /** The buffer `read` decoded into; reused by the next `read`. */
  get decoded(): Buffer {
    return this.audio;
  }

  /** True for a whole, valid JSON object whose last top-level `event` is "media". */
  private scan(): boolean {
    this.trackStart = this.trackEnd = this.payloadStart = this.payloadEnd = -1;
    this.mediaObject = false;
    this.isMedia = false;
    const json = this.json;
    return json.members(this.key, this.topMember) && json.atEnd() && this.isMedia;
  }

  private readonly topMember = ({ start, end }: Span): boolean => {
    const json = this.json;
    if (json.equals(start, end, EVENT)) {
      if (json.peek() !== QUOTE) {
        this.isMedia = false;
        return json.skipFlat(this.value);
      }
      if (!json.readString(this.value)) return false;
      this.isMedia = json.equals(this.value.start, this.value.end, MEDIA);
      return true;
    }
    if (json.equals(start, end, MEDIA)) {
      if (json.peek() === OPEN_BRACE) return this.readMedia();
      this.mediaObject = false;
      return json.skipFlat(this.value);
    }
    return json.skipFlat(this.value);
  };

  /** The `media` object: its `track` and `payload` strings, the last of each. */
  private readMedia(): boolean {
    const json = this.json;
    // The payload of a `media` replaced by this one is never decoded: checked here instead (rare).
    if (this.payloadStart >= 0 && !plain(json.bytes, this.payloadStart, this.payloadEnd)) return false;
    this.mediaObject = true;
    this.trackStart = this.trackEnd = this.payloadStart = this.payloadEnd = -1;
    return json.members(this.key, this.mediaMember);
  }

  private readonly mediaMember = ({ start, end }: Span): boolean => {
    const json = this.json;
    if (json.equals(start, end, TRACK)) {
      // A number, a flag or null here would take the general path's odd turns: leave those to it.
      if (!json.readString(this.value)) return false;
      this.trackStart = this.value.start;
      this.trackEnd = this.value.end;
      return true;
    }
    if (json.equals(start, end, PAYLOAD)) {
      // One replaced by a later one is never decoded, so it is checked here instead (rare).
      if (this.payloadStart >= 0 && !plain(json.bytes, this.payloadStart, this.payloadEnd)) return false;
      if (!json.readLongString(this.value)) return false;
      this.payloadStart = this.value.start;
      this.payloadEnd = this.value.end;
      return true;
    }
    return json.skipFlat(this.value);
  };

  /** Standard, padded base64 decoded into the reused buffer; NOT_READ for anything else. */
  private decode(bytes: Uint8Array, start: number, end: number): number {
    if (end === start) return NO_AUDIO;
    const size = base64Size(bytes, start, end);
    if (size < 0) return NOT_READ;
    if (this.audio.length < size) this.audio = Buffer.allocUnsafe(Math.max(size, this.audio.length * 2));
    return decodeBase64(bytes, start, end, this.audio) ? size : NOT_READ;
  }
}
