import { buildCli } from "../../client/scripts/build-cli.ts";
import { CLI_BUILT } from "../../client/test/harness.ts";
import { warmTestSpeechCache } from "./helpers/speech-cache.ts";

/** Vitest global setup: work every test file would otherwise repeat, done once up front. */
export default async function setup(): Promise<void> {
  await Promise.all([warmTestSpeechCache(), buildCli(CLI_BUILT)]);
}
