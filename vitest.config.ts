import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    // Hooks start services (and their speech workers); on a slow shared machine that can take a while.
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["packages/server/test/global-setup.ts"],
    // Four files at a time on two cores: many suites hold real-time 8 kHz calls, which mostly wait on the
    // line's clock (a sandbox call costs about 5 % of a core with pocketsphinx: the persona, recognition,
    // recording, and the agent's offline voice, whose repeated lines come from memory). A file's
    // concurrent tests hold at most eight calls at once, and the agent and callees count their waits in
    // audio heard, not wall time, so a busy moment does not make them talk over each other.
    maxWorkers: 4,
    maxConcurrency: 8,
  },
});
