import type { CallEvent } from "@clawcall/contract";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type CallReport, resultEvent } from "../../calls/call-result.ts";
import { isTerminal, statusEvent } from "../../calls/states.ts";
import type { CallTable } from "../../store/schema.ts";
import { addKeyHeaders } from "../auth.ts";
import type { ApiContext } from "../context.ts";

/**
 * Event streams each key holds open on this node. Each stream holds a socket and a subscription for as
 * long as its call runs, so one key may not hold an unbounded number of them.
 */
export class OpenStreams {
  private readonly byKey = new Map<string, number>();
  constructor(private readonly perKey: number) {}

  /** Counts a new stream for the key, or returns false when it already holds its share. */
  open(keyId: string): boolean {
    const n = this.byKey.get(keyId) ?? 0;
    if (n >= this.perKey) return false;
    this.byKey.set(keyId, n + 1);
    return true;
  }

  close(keyId: string): void {
    const n = (this.byKey.get(keyId) ?? 1) - 1;
    if (n <= 0) this.byKey.delete(keyId);
    else this.byKey.set(keyId, n);
  }
}

/**
 * Server-Sent Events of one call: the current status and the transcript so far, then every change as it
 * happens, ending after the final status.
 */
export async function streamCallEvents(
  ctx: ApiContext,
  row: CallTable,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  await addKeyHeaders(ctx, req, reply);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  let closed = false;
  const send = (event: CallEvent) => {
    if (!closed) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    unsubscribe?.();
    res.end();
  };

  // Subscribe before reading the snapshot, so nothing that happens in between is missed.
  const buffered: CallEvent[] = [];
  let live = false;
  const unsubscribe: (() => void) | undefined = await ctx.live.subscribe(row.id, (event) => {
    if (!live) buffered.push(event);
    else {
      send(event);
      if (event.type === "status" && event.lifecycle === "finalized") finish();
    }
  });
  const keepAlive = setInterval(() => {
    if (!closed) res.write(": keep-alive\n\n");
  }, 15_000);
  req.raw.on("close", finish);

  const current = (await ctx.calls.get(row.id)) ?? row;
  // A final call is told whole, in the order a live one is: its lines, what came of it, its final status.
  // Nothing is added to a final call, so what was buffered meanwhile is already in that snapshot.
  if (isTerminal(current.state)) {
    for (const entry of (await ctx.live.transcript(row.id)) ?? []) send({ type: "transcript", entry });
    // Calls finalized before results were kept have none.
    if (current.result) send(resultEvent(JSON.parse(current.result) as CallReport));
    send(statusEvent(current, new Date()));
    finish();
    return;
  }
  send(statusEvent(current, new Date()));
  const seen = new Set<string>();
  for (const entry of (await ctx.live.transcript(row.id)) ?? []) {
    seen.add(JSON.stringify(entry));
    send({ type: "transcript", entry });
  }
  live = true;
  for (const event of buffered) {
    if (event.type === "transcript" && seen.has(JSON.stringify(event.entry))) continue;
    send(event);
  }
  if (buffered.some((e) => e.type === "status" && e.lifecycle === "finalized")) finish();
}
