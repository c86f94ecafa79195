import { type FileHandle, open } from "node:fs/promises";
import { SAMPLE_RATE } from "../media/media-stream.ts";
import { mulawDecode } from "../media/mulaw.ts";

const HEADER_BYTES = 44;
const CHANNELS = 2;
// About a second of audio per write: few syscalls, little memory.
const FLUSH_FRAMES = 50;

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
  let chunks: Buffer[] = [];
  let buffered = 0;
  let dataBytes = 0;
  let position = HEADER_BYTES;
  let writing: Promise<unknown> = file;
  let finished: Promise<{ path: string; seconds: number; bytes: number }> | null = null;
  const left = new Int16Array(160);
  const right = new Int16Array(160);

  const flush = () => {
    if (buffered === 0) return;
    const data = Buffer.concat(chunks);
    chunks = [];
    buffered = 0;
    const at = position;
    position += data.length;
    writing = writing.then(() => file.then((h) => h.write(data, 0, data.length, at)));
  };

  return {
    write(fromAgent, fromCallee) {
      if (finished) return;
      const samples = Math.max(fromAgent.length, fromCallee.length);
      const l = mulawDecode(
        fromAgent,
        samples <= left.length ? left.subarray(0, fromAgent.length) : undefined,
      );
      const r = mulawDecode(
        fromCallee,
        samples <= right.length ? right.subarray(0, fromCallee.length) : undefined,
      );
      const frame = Buffer.alloc(samples * CHANNELS * 2);
      for (let i = 0; i < samples; i++) {
        frame.writeInt16LE(l[i] ?? 0, 4 * i);
        frame.writeInt16LE(r[i] ?? 0, 4 * i + 2);
      }
      chunks.push(frame);
      buffered++;
      dataBytes += frame.length;
      if (buffered >= FLUSH_FRAMES) flush();
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
