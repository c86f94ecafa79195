import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { CarrierEvent, DialRequest } from "../../src/telephony/carrier.ts";
import { registerTelnyxRoutes } from "../../src/telephony/telnyx/routes.ts";
import { createTelnyxCarrier, type TelnyxCarrier } from "../../src/telephony/telnyx/telnyx-carrier.ts";
import type { TelnyxSettings } from "../../src/telephony/telnyx/telnyx-settings.ts";
import {
  type EmulatorOptions,
  startTelnyxEmulator,
  type TelnyxEmulator,
} from "../telnyx-emulator/emulator.ts";

export const API_KEY = "KEY_test_emulator";

export interface Harness {
  emulator: TelnyxEmulator;
  carrier: TelnyxCarrier;
  app: FastifyInstance;
  baseUrl: string;
  events: CarrierEvent[];
  /** Resolves with the first event matching `pred` (already seen or yet to come). */
  waitFor<T extends CarrierEvent>(pred: (e: CarrierEvent) => e is T, timeoutMs?: number): Promise<T>;
  waitFor(pred: (e: CarrierEvent) => boolean, timeoutMs?: number): Promise<CarrierEvent>;
  dialRequest(callId: string, to: string, extra?: Partial<DialRequest>): DialRequest;
  close(): Promise<void>;
}

/** A ClawCall node (Fastify + the Telnyx adapter) and the emulator, both on loopback. */
export async function startHarness(
  emulatorOptions: EmulatorOptions = {},
  settings: Partial<TelnyxSettings> = {},
): Promise<Harness> {
  const emulator = await startTelnyxEmulator({
    apiKey: API_KEY,
    timings: { ringMs: 200, noAnswerMs: 300, dropAfterMs: 600 },
    ...emulatorOptions,
  });
  const app = Fastify({ logger: false });
  // The node's public URL is only known after listen; the carrier reads it lazily through this object.
  const late: TelnyxSettings = {
    apiKey: API_KEY,
    publicKey: emulator.publicKey,
    connectionId: "1234567890",
    publicBaseUrl: "http://127.0.0.1:0",
    streamSecret: "stream-secret-for-tests",
    baseURL: emulator.apiBaseUrl,
    dialTimeoutMs: 5000,
    ...settings,
  };
  const carrier = createTelnyxCarrier(late);
  await registerTelnyxRoutes(app, carrier);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  late.publicBaseUrl = baseUrl;

  const events: CarrierEvent[] = [];
  const waiters: Array<{ pred: (e: CarrierEvent) => boolean; resolve: (e: CarrierEvent) => void }> = [];
  carrier.onEvent((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });

  const waitFor = (pred: (e: CarrierEvent) => boolean, timeoutMs = 5000): Promise<CarrierEvent> => {
    const seen = events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a carrier event")), timeoutMs);
      waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  };

  return {
    emulator,
    carrier,
    app,
    baseUrl,
    events,
    waitFor: waitFor as Harness["waitFor"],
    dialRequest: (callId, to, extra = {}) => ({
      callId,
      to,
      from: "+12125550199",
      ringTimeoutSeconds: 30,
      record: true,
      ...extra,
    }),
    close: async () => {
      await carrier.close();
      await emulator.close();
      await app.close();
    },
  };
}

export const isHangup =
  (callId: string) =>
  (e: CarrierEvent): e is Extract<CarrierEvent, { type: "hangup" }> =>
    e.type === "hangup" && e.callId === callId;
export const isType =
  <K extends CarrierEvent["type"]>(callId: string, type: K) =>
  (e: CarrierEvent): e is Extract<CarrierEvent, { type: K }> =>
    e.type === type && e.callId === callId;
