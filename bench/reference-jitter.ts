/**
 * What the machine itself allows: a lone 20 ms timer loop in a child process, measured beside a bench, so
 * its frame jitter can be read against the jitter the machine gives anything.
 */
import { execFile } from "node:child_process";

// The loop, run with `node -e`: prints the p99 of |inter-arrival − 20| in ms.
const REFERENCE_TIMER = `
const until = performance.now() + Number(process.argv[1]);
const deviations = [];
let last = performance.now();
const tick = () => {
  const now = performance.now();
  deviations.push(Math.abs(now - last - 20));
  last = now;
  if (now < until) setTimeout(tick, 20);
  else {
    deviations.sort((a, b) => a - b);
    process.stdout.write(JSON.stringify({ p99: deviations[Math.floor(deviations.length * 0.99)] ?? 0 }));
  }
};
setTimeout(tick, 20);
`;

/** The p99 of |inter-arrival − 20 ms| over `ms` of a lone timer loop; null when it could not run. */
export function referenceJitter(ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-e", REFERENCE_TIMER, String(ms)],
      { timeout: ms + 10_000 },
      (error, stdout) => {
        if (error) return resolve(null);
        try {
          resolve((JSON.parse(stdout) as { p99: number }).p99);
        } catch {
          resolve(null);
        }
      },
    );
  });
}
