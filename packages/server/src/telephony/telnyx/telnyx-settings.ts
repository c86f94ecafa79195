import type { Voice } from "@clawcall/contract";
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
  /**
   * Makes the audio of a handoff's warm greeting and answers with a link Telnyx can fetch it from: the
   * transfer plays it to the user as they pick up, before joining them (its `audio_url`). Without it, or
   * when it yields null, the user is joined with no greeting. It never throws.
   */
  greetingAudio?: (text: string, voice: Voice) => Promise<string | null>;
  now?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

export type WebhookOutcome =
  | { status: "invalid_signature"; reason: string }
  | { status: "malformed" }
  | { status: "accepted" | "duplicate" | "ignored" };
