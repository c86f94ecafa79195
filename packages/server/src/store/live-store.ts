import type { CallEvent, TranscriptEntry } from "@clawcall/contract";

/**
 * Where transcripts and live events of calls are held: memory in the embedded setup, Redis when clustered.
 * Never SQL. A transcript lives for the call and at most `ttl` after it ends; then it is gone.
 */
export interface LiveStore {
  appendTranscript(callId: string, entry: TranscriptEntry): Promise<void>;
  /** The entries, or null once expired (or for a call this store never saw). */
  transcript(callId: string): Promise<TranscriptEntry[] | null>;
  /** Opens an empty transcript for a new call. */
  open(callId: string): Promise<void>;
  /** Starts the expiry clock of a finished call. */
  expireAfter(callId: string, seconds: number): Promise<void>;
  publish(callId: string, event: CallEvent): Promise<void>;
  /** Listens to a call's events; returns the function that stops listening. */
  subscribe(callId: string, listener: (event: CallEvent) => void): Promise<() => void>;
  /** Asks the node that owns a call to act on it (a hang-up requested through another node). */
  sendControl(nodeId: string, message: ControlMessage): Promise<void>;
  onControl(nodeId: string, handler: (message: ControlMessage) => void): Promise<void>;
  close(): Promise<void>;
}

export type ControlMessage = { type: "hangup"; callId: string };

interface Held {
  entries: TranscriptEntry[];
  expiresAt: number;
}

/** The in-process live store, with a sweeper that drops expired transcripts. */
export class MemoryLiveStore implements LiveStore {
  private readonly held = new Map<string, Held>();
  private readonly listeners = new Map<string, Set<(event: CallEvent) => void>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    /** Upper bound for a call still running: a transcript never outlives this plus the expiry. */
    private readonly maxLifetimeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  async open(callId: string) {
    this.held.set(callId, { entries: [], expiresAt: this.now() + this.maxLifetimeSeconds * 1000 });
  }

  async appendTranscript(callId: string, entry: TranscriptEntry) {
    const h = this.held.get(callId);
    if (h) h.entries.push(entry);
  }

  async transcript(callId: string) {
    const h = this.held.get(callId);
    if (!h) return null;
    if (h.expiresAt <= this.now()) {
      this.held.delete(callId);
      return null;
    }
    return [...h.entries];
  }

  async expireAfter(callId: string, seconds: number) {
    const h = this.held.get(callId);
    if (h) h.expiresAt = this.now() + seconds * 1000;
  }

  async publish(callId: string, event: CallEvent) {
    for (const l of this.listeners.get(callId) ?? []) l(event);
  }

  async subscribe(callId: string, listener: (event: CallEvent) => void) {
    let set = this.listeners.get(callId);
    if (!set) {
      set = new Set();
      this.listeners.set(callId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(callId);
    };
  }

  private readonly control = new Map<string, (message: ControlMessage) => void>();

  async sendControl(nodeId: string, message: ControlMessage) {
    this.control.get(nodeId)?.(message);
  }

  async onControl(nodeId: string, handler: (message: ControlMessage) => void) {
    this.control.set(nodeId, handler);
  }

  sweep() {
    const now = this.now();
    for (const [id, h] of this.held) if (h.expiresAt <= now) this.held.delete(id);
  }

  async close() {
    clearInterval(this.sweeper);
    this.held.clear();
    this.listeners.clear();
  }
}
