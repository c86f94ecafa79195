import { FRAME_BYTES, SAMPLE_RATE } from "../../media/media-stream.ts";
import { mulawEncode } from "../../media/mulaw.ts";

/** Rounds a sample count up to whole 20 ms frames, so audio starts each line on a frame boundary. */
export function frameAligned(samples: number): number {
  return Math.ceil(samples / FRAME_BYTES) * FRAME_BYTES;
}

/** The answering machine's tone: 1 kHz for half a second, with 5 ms ramps so it does not click. */
export function voicemailBeep(seconds = 0.5, frequency = 1000): Uint8Array {
  const n = frameAligned(Math.round(seconds * SAMPLE_RATE));
  const pcm = new Int16Array(n);
  const ramp = SAMPLE_RATE * 0.005;
  for (let i = 0; i < n; i++) {
    const envelope = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    pcm[i] = Math.round(12000 * envelope * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE));
  }
  return mulawEncode(pcm);
}

// C major, A minor, F major, G major: root-position triads plus a bass note, in Hz.
const CHORDS: readonly (readonly number[])[] = [
  [130.81, 261.63, 329.63, 392.0],
  [110.0, 261.63, 329.63, 440.0],
  [87.31, 261.63, 349.23, 440.0],
  [98.0, 246.94, 293.66, 392.0],
];

/**
 * One loop of hold music: four soft chords, one per second, each struck and then decaying like a
 * keyboard. Tonal and sustained on purpose, so detectors can tell it apart from speech.
 */
export function holdMusic(secondsPerChord = 1): Uint8Array {
  const perChord = frameAligned(Math.round(secondsPerChord * SAMPLE_RATE));
  const pcm = new Int16Array(perChord * CHORDS.length);
  const attack = SAMPLE_RATE * 0.02;
  CHORDS.forEach((chord, c) => {
    for (let i = 0; i < perChord; i++) {
      const t = i / SAMPLE_RATE;
      const envelope = Math.min(1, i / attack) * Math.exp(-1.6 * t);
      let v = 0;
      for (const f of chord) v += Math.sin(2 * Math.PI * f * t);
      pcm[c * perChord + i] = Math.round((2600 * envelope * v) / 1.4);
    }
  });
  return mulawEncode(pcm);
}
