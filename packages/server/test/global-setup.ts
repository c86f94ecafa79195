import { warmTestSpeechCache } from "./helpers/speech-cache.ts";

/** Vitest global setup: work every test file would otherwise repeat, done once up front. */
export default async function setup(): Promise<void> {
  await warmTestSpeechCache();
}
