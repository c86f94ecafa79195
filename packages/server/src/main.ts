import { ConfigError } from "./config/config.ts";
import { type ExposedGc, tidyHeapWhenIdle } from "./observability/heap-tidy.ts";
import { allowNurseryCollection } from "./observability/nursery.ts";
import { startService } from "./service.ts";

// `npm start` runs node with --no-memory-reducer --expose-gc: the heap is compacted between calls
// (heap-tidy.ts), not by V8's memory reducer in the middle of one, and the young generation is emptied
// while a callee talks (nursery.ts).
const gc = (globalThis as { gc?: ExposedGc }).gc;
allowNurseryCollection(gc);

/** `npm start`: the service on the configuration in the environment. */
async function main() {
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService({ env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ClawCall cannot start.\n${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  console.log(["ClawCall is running.", ...service.describe().map((l) => `  ${l}`)].join("\n"));
  const tidy = gc && tidyHeapWhenIdle({ gc, activeCalls: () => service.calls.activeCount() });
  const stop = async (signal: string) => {
    console.log(`${signal} received, shutting down`);
    tidy?.stop();
    await service.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
