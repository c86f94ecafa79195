import type { Writable } from "node:stream";
import yoctoSpinner from "yocto-spinner";

/** Live feedback while a call runs: a spinner on a terminal, plain lines for logs and assistants. */
export interface Progress {
  status(text: string): void;
  line(text: string): void;
  stop(): void;
}

export function createProgress(stream: Writable & { isTTY?: boolean }, enabled = true): Progress {
  if (!enabled) return { status() {}, line() {}, stop() {} };
  if (!stream.isTTY) {
    return {
      status: (text) => stream.write(`… ${text}\n`),
      line: (text) => stream.write(`  ${text}\n`),
      stop() {},
    };
  }
  // The CLI owns SIGINT (it prints how to follow the call later), so the spinner must not exit for it.
  const spinner = yoctoSpinner({ stream, handleSignals: false });
  let running = false;
  return {
    status(text) {
      spinner.text = text;
      if (!running) spinner.start();
      running = true;
    },
    line(text) {
      if (running) spinner.clear();
      stream.write(`  ${text}\n`);
    },
    stop() {
      if (running) spinner.stop();
      running = false;
    },
  };
}
