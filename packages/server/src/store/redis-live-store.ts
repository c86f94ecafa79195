import type { CallEvent, TranscriptEntry } from "@clawcall/contract";
import { Redis } from "ioredis";
import type { ControlMessage, LiveStore } from "./live-store.ts";

/**
 * The live store of a cluster: transcripts as Redis lists with a TTL (so expiry holds even if every node
 * dies), events through pub/sub so any node can stream a call that another node owns.
 */
export class RedisLiveStore implements LiveStore {
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<(event: CallEvent) => void>>();
  private readonly controlHandlers = new Map<string, (message: ControlMessage) => void>();

  constructor(
    url: string,
    private readonly maxLifetimeSeconds: number,
    private readonly prefix = "clawcall:",
  ) {
    this.cmd = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { lazyConnect: false });
    this.sub.on("message", (channel: string, message: string) => {
      const control = this.controlHandlers.get(channel);
      if (control) {
        control(JSON.parse(message) as ControlMessage);
        return;
      }
      const callId = channel.slice(`${this.prefix}events:`.length);
      const set = this.listeners.get(callId);
      if (!set) return;
      const event = JSON.parse(message) as CallEvent;
      for (const l of set) l(event);
    });
  }

  private tkey(callId: string) {
    return `${this.prefix}transcript:${callId}`;
  }

  async open(callId: string) {
    // An empty list does not exist in Redis: a marker entry keeps "open but empty" apart from "expired".
    await this.cmd
      .multi()
      .del(this.tkey(callId))
      .rpush(this.tkey(callId), "")
      .expire(this.tkey(callId), this.maxLifetimeSeconds)
      .exec();
  }

  async appendTranscript(callId: string, entry: TranscriptEntry) {
    // RPUSHX: never recreate a transcript that has already expired.
    await this.cmd.rpushx(this.tkey(callId), JSON.stringify(entry));
  }

  async transcript(callId: string) {
    const items = await this.cmd.lrange(this.tkey(callId), 0, -1);
    if (items.length === 0) return null;
    return items.slice(1).map((s) => JSON.parse(s) as TranscriptEntry);
  }

  async expireAfter(callId: string, seconds: number) {
    await this.cmd.expire(this.tkey(callId), seconds);
  }

  async publish(callId: string, event: CallEvent) {
    await this.cmd.publish(`${this.prefix}events:${callId}`, JSON.stringify(event));
  }

  async subscribe(callId: string, listener: (event: CallEvent) => void) {
    let set = this.listeners.get(callId);
    if (!set) {
      set = new Set();
      this.listeners.set(callId, set);
      await this.sub.subscribe(`${this.prefix}events:${callId}`);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(callId);
        void this.sub.unsubscribe(`${this.prefix}events:${callId}`);
      }
    };
  }

  async sendControl(nodeId: string, message: ControlMessage) {
    await this.cmd.publish(`${this.prefix}control:${nodeId}`, JSON.stringify(message));
  }

  async onControl(nodeId: string, handler: (message: ControlMessage) => void) {
    const channel = `${this.prefix}control:${nodeId}`;
    this.controlHandlers.set(channel, handler);
    await this.sub.subscribe(channel);
  }

  async close() {
    this.listeners.clear();
    this.sub.disconnect();
    await this.cmd.quit();
  }
}
