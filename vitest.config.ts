import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    // Hooks start services (and their speech workers); on a slow shared machine that can take a while.
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["packages/server/test/global-setup.ts"],
    // Many suites hold real-time 8 kHz calls; running files one at a time keeps their audio clocks honest
    // on a small machine instead of competing for two cores.
    fileParallelism: false,
    // Concurrent tests in a file each hold a real-time call or two. A sandbox call costs a few percent of a
    // core (agent synthesis, the persona, recording, recognition): four at once leave two busy cores room.
    maxConcurrency: 4,
  },
});
