/** How a bench knows the process it started is ready: a line of its standard output. */
import type { ChildProcess } from "node:child_process";

/**
 * The first match of `pattern` in what `child` writes to stdout (its first group, if it has one);
 * rejects, with the output so far, if the child exits first or `timeoutMs` passes. Its listener goes once
 * settled; the output flows on (taking a `data` listener away does not pause a stream) unless the caller
 * pipes it somewhere.
 */
export function outputMatch(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = pattern.exec(out);
      if (match) settle(() => resolve(match[1] ?? match[0]));
    };
    const onExit = (code: number | null) =>
      settle(() => reject(new Error(`${what} exited with ${code}:\n${out}`)));
    const timer = setTimeout(
      () => settle(() => reject(new Error(`${what} did not start in ${timeoutMs / 1000} s:\n${out}`))),
      timeoutMs,
    );
    const settle = (done: () => void) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      done();
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}
