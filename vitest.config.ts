import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    // Hooks start services (and their speech workers); on a slow shared machine that can take a while.
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["packages/server/test/global-setup.ts"],
    // Two files at a time, one per core. Many suites hold real-time 8 kHz calls, which mostly wait on the
    // line's clock: a sandbox call costs about 5 % of a core with pocketsphinx (agent synthesis, the
    // persona, recording, recognition). A file's concurrent tests hold at most eight calls at once, so two
    // files' worth stays under half of two busy cores, and the agent and callees count their waits in
    // audio, not wall time.
    maxWorkers: 2,
    maxConcurrency: 8,
  },
});
