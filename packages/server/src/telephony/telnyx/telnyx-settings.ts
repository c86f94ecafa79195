import type { AmdMode } from "./dial-request.ts";

export interface TelnyxSettings {
  apiKey: string;
  /** The account's webhook public key (Ed25519, base64). */
  publicKey: string;
  /** The Call Control application id (`connection_id`). */
  connectionId: string;
  /** Where Telnyx reaches this node, e.g. https://calls.example.com; per-call URLs hang off it. */
  publicBaseUrl: string;
  /** Secret for per-call media stream tokens; random per process if unset (calls do not outlive it). */
  streamSecret?: string;
  /** API base, for the emulator; defaults to Telnyx's. */
  baseURL?: string;
  dialTimeoutMs?: number;
  commandTimeoutMs?: number;
  bridgeRingTimeoutSeconds?: number;
  webhookToleranceSeconds?: number;
  /** Defaults to `detect_beep`. */
  answeringMachineDetection?: AmdMode;
  /** How long an ended call is remembered, for late recordings and duplicate webhooks. */
  endedRetentionMs?: number;
  now?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

export type WebhookOutcome =
  | { status: "invalid_signature"; reason: string }
  | { status: "malformed" }
  | { status: "accepted" | "duplicate" | "ignored" };
