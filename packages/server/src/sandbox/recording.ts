import { type FileHandle, open } from "node:fs/promises";
import { FRAME_BYTES, SAMPLE_RATE } from "../media/media-stream.ts";
import { mulawDecode } from "../media/mulaw.ts";

const HEADER_BYTES = 44;
const CHANNELS = 2;
// About a second of audio per write: few syscalls, little memory.
const FLUSH_FRAMES = 50;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write("WAVE", 8, "ascii");
  h.write("fmt ", 12, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(CHANNELS, 22);
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * CHANNELS * 2, 28);
  h.writeUInt16LE(CHANNELS * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export interface CallRecorder {
  /** One 20 ms frame each way, as createMediaPair's onTap delivers them. */
  write(fromAgent: Uint8Array, fromCallee: Uint8Array): void;
  /** Flushes, fixes the header's lengths and closes the file. */
  finish(): Promise<{ path: string; seconds: number; bytes: number }>;
}

/**
 * Records a sandbox call to a WAV file as it happens: 8 kHz, 16-bit PCM, stereo with the agent on the
 * left channel and the callee on the right, so either side can be heard alone. Audio goes to disk about
 * once a second; only that second is held in memory.
 */
export function createCallRecorder(path: string): CallRecorder {
  const file: Promise<FileHandle> = open(path, "w", 0o600).then(async (handle) => {
    await handle.write(wavHeader(0), 0, HEADER_BYTES, 0);
    return handle;
  });
  const capacity = FLUSH_FRAMES * FRAME_BYTES * CHANNELS * 2;
  // Each second is interleaved straight into the buffer that goes to disk: no per-frame allocation.
  let pending = Buffer.allocUnsafe(capacity);
  let samplesOut = new Int16Array(pending.buffer, pending.byteOffset, capacity / 2);
  let buffered = 0;
  let dataBytes = 0;
  let position = HEADER_BYTES;
  let writing: Promise<unknown> = file;
  let finished: Promise<{ path: string; seconds: number; bytes: number }> | null = null;
  const left = new Int16Array(FRAME_BYTES);
  const right = new Int16Array(FRAME_BYTES);

  const flush = () => {
    if (buffered === 0) return;
    const data = pending.subarray(0, buffered);
    // WAV is little-endian; the samples were written in the machine's order.
    if (!LITTLE_ENDIAN) data.swap16();
    // The write owns this buffer until it is done: the next second gets one of its own.
    pending = Buffer.allocUnsafe(capacity);
    samplesOut = new Int16Array(pending.buffer, pending.byteOffset, capacity / 2);
    buffered = 0;
    const at = position;
    position += data.length;
    writing = writing.then(() => file.then((h) => h.write(data, 0, data.length, at)));
  };

  return {
    write(fromAgent, fromCallee) {
      if (finished) return;
      const samples = Math.max(fromAgent.length, fromCallee.length);
      const bytes = samples * CHANNELS * 2;
      if (buffered + bytes > capacity) flush();
      // Frames are 20 ms (see the interface): longer ones are not recorded.
      if (samples > FRAME_BYTES) return;
      const l = mulawDecode(fromAgent, left.subarray(0, fromAgent.length));
      const r = mulawDecode(fromCallee, right.subarray(0, fromCallee.length));
      // A missing sample (one side shorter) is silence.
      if (l.length < samples) left.fill(0, l.length, samples);
      if (r.length < samples) right.fill(0, r.length, samples);
      const at = buffered / 2;
      for (let i = 0; i < samples; i++) {
        samplesOut[at + 2 * i] = left[i]!;
        samplesOut[at + 2 * i + 1] = right[i]!;
      }
      buffered += bytes;
      dataBytes += bytes;
      if (buffered + bytes > capacity) flush();
    },
    finish() {
      finished ??= (async () => {
        flush();
        await writing;
        const handle = await file;
        await handle.write(wavHeader(dataBytes), 0, HEADER_BYTES, 0);
        await handle.close();
        return { path, seconds: dataBytes / (SAMPLE_RATE * CHANNELS * 2), bytes: HEADER_BYTES + dataBytes };
      })();
      return finished;
    },
  };
}
