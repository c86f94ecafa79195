/**
 * The part of a Telnyx-path call's CPU that no service on this machine could avoid: the carrier's media,
 * fifty messages a second a call in Telnyx's format from a socket of its own, read by a `ws` server (the
 * library and node the service runs on) in a process that does nothing with them. The Telnyx-path bench
 * measures it in the same run as the service, so the service's own share reads apart from how fast the
 * machine happens to be that minute (the same code measures ±15 % from one hour to the next here).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { outputMatch } from "./child-output.ts";
import { cpuPercent, sampleUsage } from "./process-usage.ts";

const FRAME_MS = 20;

// Run by node from the repository's root, where `ws` resolves as the service's does.
const BARE_SERVER = `
import { WebSocketServer } from "ws";
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
wss.on("listening", () => console.log("port " + wss.address().port));
wss.on("connection", (socket) => socket.on("message", () => {}));
`;

export interface CarrierMediaFloorOptions {
  calls: number;
  warmupMs?: number;
  windowMs?: number;
}

/** The bare server's CPU per call, in percent of one core. */
export async function runCarrierMediaFloor(options: CarrierMediaFloorOptions): Promise<number> {
  const root = path.resolve(import.meta.dirname, "..");
  const child = spawn(process.execPath, ["--input-type=module", "-e", BARE_SERVER], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const port = await outputMatch(child, /port (\d+)/, "the bare ws server", 10_000);
    for (let i = 0; i < options.calls; i++) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      sockets.push(socket);
      await new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
      });
    }
    const payload = Buffer.alloc(160, 0xff).toString("base64");
    for (const [i, socket] of sockets.entries()) {
      let seq = 0;
      // Each call's frames on a clock of its own, spread over the 20 ms as calls answered at random are.
      const start = setTimeout(
        () => timers.push(setInterval(() => socket.send(mediaMessage(++seq, payload)), FRAME_MS)),
        (i * FRAME_MS) / options.calls,
      );
      timers.push(start);
    }
    await sleep(options.warmupMs ?? 2000);
    const from = sampleUsage(child.pid!);
    await sleep(options.windowMs ?? 5000);
    const to = sampleUsage(child.pid!);
    return Math.round((cpuPercent(from, to) / options.calls) * 1000) / 1000;
  } finally {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.terminate();
    child.kill();
  }
}

/** A media message as Telnyx sends it (and the bench's emulator): 20 ms of PCMU, base64. */
function mediaMessage(seq: number, payload: string): string {
  return JSON.stringify({
    event: "media",
    sequence_number: String(seq),
    stream_id: "3f5a5c0e-1b7b-4d6e-9c1f-5f0e8c2a7d41",
    media: { track: "inbound", chunk: String(seq), timestamp: String(seq * FRAME_MS), payload },
  });
}
