import os from "node:os";
import path from "node:path";
import { personaUtterances } from "../../src/sandbox/personas/lines.ts";
import { FliteCalleeSpeech } from "../../src/sandbox/speech/callee-speech.ts";

/**
 * One on-disk cache of the personas' synthesised lines for every test service (in-process or spawned).
 * The lines are deterministic, so sharing is safe, and it spares each service seconds of flite on a core
 * that real-time calls need.
 */
export const TEST_SPEECH_CACHE = path.join(os.tmpdir(), "clawcall-test-speech-cache");

/** Fills the cache before any test runs, so no test's audio competes with a cold synthesis. */
export async function warmTestSpeechCache(): Promise<void> {
  const speech = new FliteCalleeSpeech({ cacheDir: TEST_SPEECH_CACHE });
  try {
    await speech.warm(personaUtterances());
  } finally {
    await speech.close();
  }
}
