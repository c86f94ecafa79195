import { type KeyObject, randomBytes } from "node:crypto";
import { DEFAULT_VOICE } from "@clawcall/contract";
import Telnyx from "telnyx";
import type {
  AnsweredBy,
  BridgeOptions,
  BridgeResult,
  Carrier,
  CarrierEvent,
  DialRequest,
} from "../carrier.ts";
import { DialRefusedError } from "../carrier.ts";
import { type CallRecord, newCallRecord, releaseHeld, settleBridge, wantHangup } from "./call-record.ts";
import { decodeClientState, encodeClientState } from "./client-state.ts";
import { buildDialBody } from "./dial-request.ts";
import { EventDedup } from "./event-dedup.ts";
import { applyBridgeLeg, awaitBridge } from "./handoff.ts";
import { normalizeHangup } from "./hangup-causes.ts";
import { type MediaSocket, TelnyxMediaStream } from "./media-socket.ts";
import { checkStreamToken, streamToken } from "./stream-token.ts";
import { isCallGone, outcomeUnknown, telnyxErrorInfo } from "./telnyx-errors.ts";
import type { TelnyxSettings, WebhookOutcome } from "./telnyx-settings.ts";
import {
  answeredByFromAmd,
  parseTelnyxWebhook,
  recordingExpiry,
  type TelnyxWebhook,
} from "./webhook-events.ts";
import {
  ed25519PublicKeyFromBase64,
  type SignatureResult,
  verifyTelnyxSignature,
} from "./webhook-signature.ts";

export class TelnyxCarrier implements Carrier {
  readonly name = "telnyx";
  // call.recording.saved is sent once Telnyx has stored the file, seconds after call.hangup.
  readonly recordingsFollowHangup = true;
  private readonly client: Telnyx;
  private readonly publicKey: KeyObject;
  private readonly dedup: EventDedup;
  private readonly calls = new Map<string, CallRecord>();
  private listener: (event: CarrierEvent) => void = () => {};
  private readonly now: () => number;
  private readonly streamSecret: string;

  constructor(readonly settings: TelnyxSettings) {
    this.now = settings.now ?? Date.now;
    this.streamSecret = settings.streamSecret ?? randomBytes(32).toString("base64url");
    this.publicKey = ed25519PublicKeyFromBase64(settings.publicKey);
    this.dedup = new EventDedup(15 * 60_000, 50_000, this.now);
    // No SDK retries anywhere: a retried dial could ring someone twice; commands carry command_id instead.
    this.client = new Telnyx({
      apiKey: settings.apiKey,
      baseURL: settings.baseURL ?? null,
      maxRetries: 0,
      timeout: settings.commandTimeoutMs ?? 10_000,
    });
  }

  onEvent(listener: (event: CarrierEvent) => void): void {
    this.listener = listener;
  }

  webhookUrl(callId: string): string {
    return `${this.base()}/telnyx/webhook/${encodeURIComponent(callId)}`;
  }

  streamUrl(callId: string): string {
    const ws = this.base().replace(/^http(s?):/, "ws$1:");
    const token = streamToken(this.streamSecret, callId);
    return `${ws}/telnyx/media/${encodeURIComponent(callId)}?token=${token}`;
  }

  private base(): string {
    return this.settings.publicBaseUrl.replace(/\/+$/, "");
  }

  async dial(request: DialRequest): Promise<void> {
    const rec = this.newRecord(request.callId);
    const body = buildDialBody(request, {
      connectionId: this.settings.connectionId,
      webhookUrl: this.webhookUrl(request.callId),
      streamUrl: this.streamUrl(request.callId),
      streamToken: streamToken(this.streamSecret, request.callId),
      answeringMachineDetection: this.settings.answeringMachineDetection ?? "detect_beep",
    });
    try {
      const res = await this.client.calls.dial(body, {
        maxRetries: 0,
        timeout: this.settings.dialTimeoutMs ?? 10_000,
      });
      rec.callControlId ??= res.data?.call_control_id;
    } catch (err) {
      const info = telnyxErrorInfo(err);
      rec.silenced = true;
      // Silenced, the held webhooks reach nobody; a hang-up among them still ends the record.
      for (const event of releaseHeld(rec)) this.applyToCall(rec, event);
      if (outcomeUnknown(err)) {
        // The call may exist at Telnyx. Never dial again; hang it up as soon as a webhook shows it.
        wantHangup(rec);
        this.scheduleForget(rec);
        // A webhook may already have revealed the leg while the dial was in flight.
        if (rec.callControlId) {
          this.sendHangup(rec).catch(() => this.warn({ callId: request.callId }, "telnyx hangup failed"));
        }
        this.warn(
          { callId: request.callId, status: info.status },
          "telnyx dial outcome unknown; not retried",
        );
        throw new DialRefusedError("carrier did not confirm the dial in time", info.code ?? "timeout");
      }
      rec.phase = "ended";
      this.scheduleForget(rec);
      throw new DialRefusedError(info.title ?? "carrier refused the dial", info.code);
    }
    for (const event of releaseHeld(rec)) this.applyToCall(rec, event);
    if (rec.hangup !== "not_asked") await this.sendHangup(rec);
  }

  async hangup(callId: string): Promise<void> {
    const rec = this.calls.get(callId);
    if (!rec || rec.phase === "ended") return;
    wantHangup(rec);
    // Leg not known yet (dial in flight): dial completion or the first webhook sends it.
    if (!rec.callControlId) return;
    await this.sendHangup(rec);
  }

  private async sendHangup(rec: CallRecord): Promise<void> {
    if (!rec.callControlId || rec.hangup === "sent" || rec.phase === "ended") return;
    rec.hangup = "sent";
    try {
      await this.client.calls.actions.hangup(rec.callControlId, { command_id: `hangup:${rec.callId}` });
    } catch (err) {
      if (isCallGone(err)) return;
      rec.hangup = "wanted";
      throw err;
    }
  }

  async sendDigits(callId: string, digits: string): Promise<void> {
    const rec = this.liveRecord(callId);
    try {
      await this.client.calls.actions.sendDtmf(rec.callControlId!, {
        digits,
        duration_millis: 250,
        command_id: `dtmf:${callId}:${++rec.seq}`,
      });
    } catch (err) {
      if (!isCallGone(err)) throw err;
    }
  }

  async bridge(callId: string, to: string, from: string, options?: BridgeOptions): Promise<BridgeResult> {
    const rec = this.liveRecord(callId);
    if (rec.bridge) return { ok: false, reason: "failed", message: "a handoff is already in progress" };
    // A greeting that cannot be made does not hold the handoff up (greetingAudio answers null then).
    const { greeting: text, voice = DEFAULT_VOICE } = options ?? {};
    const greeting = text ? await this.settings.greetingAudio?.(text, voice) : null;
    const ringSeconds = this.settings.bridgeRingTimeoutSeconds ?? 30;
    const result = awaitBridge(rec, ringSeconds);
    try {
      await this.client.calls.actions.transfer(rec.callControlId!, {
        to,
        from,
        timeout_secs: ringSeconds,
        webhook_url: this.webhookUrl(callId),
        webhook_url_method: "POST",
        target_leg_client_state: encodeClientState({ callId, leg: "bridge" }),
        ...(greeting ? { audio_url: greeting } : {}),
        command_id: `transfer:${callId}:${++rec.seq}`,
      });
    } catch (err) {
      const message = telnyxErrorInfo(err).title ?? "carrier refused the handoff";
      settleBridge(rec, { ok: false, reason: "failed", message });
    }
    return result;
  }

  private liveRecord(callId: string): CallRecord & { callControlId: string } {
    const rec = this.calls.get(callId);
    if (rec?.phase !== "live" || !rec.callControlId) throw new Error("call is not live");
    return rec as CallRecord & { callControlId: string };
  }

  /** Verifies and applies one webhook. Nothing is parsed, and nothing changes, unless the signature holds. */
  handleWebhook(
    pathCallId: string,
    rawBody: Buffer,
    headers: { signature: string | undefined; timestamp: string | undefined },
  ): WebhookOutcome {
    const check: SignatureResult = verifyTelnyxSignature({
      rawBody,
      signature: headers.signature,
      timestamp: headers.timestamp,
      publicKey: this.publicKey,
      nowSeconds: Math.floor(this.now() / 1000),
      toleranceSeconds: this.settings.webhookToleranceSeconds,
    });
    if (!check.ok) return { status: "invalid_signature", reason: check.reason };
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      return { status: "malformed" };
    }
    const event = parseTelnyxWebhook(body);
    if (!event) return { status: "malformed" };
    if (!this.dedup.firstSeen(event.id)) return { status: "duplicate" };
    return { status: this.apply(pathCallId, event) ? "accepted" : "ignored" };
  }

  private apply(pathCallId: string, event: TelnyxWebhook): boolean {
    const state = decodeClientState(event.clientState);
    // The path is not signed; the call id inside the signed body must agree with it.
    if (!state || state.callId !== pathCallId) return false;
    const rec = this.calls.get(state.callId);
    if (!rec) return false;
    if (state.leg === "bridge") return applyBridgeLeg(rec, event);
    if (!rec.callControlId && event.callControlId) rec.callControlId = event.callControlId;
    if (rec.hangup === "wanted" && rec.phase !== "ended" && event.eventType !== "call.hangup") {
      this.sendHangup(rec).catch(() => this.warn({ callId: rec.callId }, "telnyx hangup failed"));
    }
    if (rec.held) {
      rec.held.push(event);
      return true;
    }
    return this.applyToCall(rec, event);
  }

  private applyToCall(rec: CallRecord, event: TelnyxWebhook): boolean {
    if (rec.silenced) {
      if (event.eventType === "call.hangup") this.end(rec);
      return false;
    }
    switch (event.eventType) {
      case "call.initiated":
        if (rec.phase !== "dialing" || rec.told.has("ringing")) return false;
        rec.told.add("ringing");
        this.emit({ type: "ringing", callId: rec.callId });
        return true;
      case "call.answered":
        return this.onAnswered(rec);
      case "call.machine.detection.ended":
      case "call.machine.premium.detection.ended":
        return this.onMachineVerdict(rec, answeredByFromAmd(event.amdResult));
      case "call.machine.greeting.ended":
      case "call.machine.premium.greeting.ended":
        // Only a beep matters: the machine is recording. ("ended" without one is left to the agent's ears.)
        if (event.amdResult !== "beep_detected" || !rec.answered || rec.phase !== "live") return false;
        this.emit({ type: "beep", callId: rec.callId });
        return true;
      case "call.bridged":
        if (!rec.bridge) return false;
        settleBridge(rec, { ok: true });
        return true;
      case "call.hangup":
        return this.onHangup(rec, event);
      case "streaming.failed":
        // A stream that did reach us reports its own drop; one that never did leaves a silent live call.
        if (rec.phase !== "live" || rec.told.has("media") || rec.told.has("media_failed")) return false;
        rec.told.add("media_failed");
        this.emit({ type: "media_failed", callId: rec.callId });
        return true;
      case "call.recording.saved":
        if (rec.told.has("recording") || !event.recordingUrl) return false;
        rec.told.add("recording");
        this.emit({
          type: "recording",
          callId: rec.callId,
          url: event.recordingUrl,
          expiresAt: recordingExpiry(event.occurredAt, this.now()),
        });
        return true;
      default:
        return false;
    }
  }

  private onAnswered(rec: CallRecord): boolean {
    // A hang-up that overtook its answer already ended the call; the late answer changes nothing.
    if (rec.phase !== "dialing" || rec.answered) return false;
    rec.answered = true;
    rec.phase = "live";
    // The agent starts at once; a machine verdict still to come follows as its own event.
    if (rec.answeredBy !== "unknown") rec.told.add("verdict");
    this.emit({ type: "answered", callId: rec.callId, answeredBy: rec.answeredBy });
    this.maybeEmitMedia(rec);
    return true;
  }

  private onMachineVerdict(rec: CallRecord, answeredBy: AnsweredBy): boolean {
    if (rec.phase === "ended" || answeredBy === "unknown") return false;
    rec.answeredBy = answeredBy;
    // Before the answer reached us, the verdict simply goes with it.
    if (!rec.answered) return true;
    if (rec.told.has("verdict")) return false;
    rec.told.add("verdict");
    this.emit({ type: "answered_by", callId: rec.callId, answeredBy });
    return true;
  }

  private onHangup(rec: CallRecord, event: TelnyxWebhook): boolean {
    if (rec.phase === "ended") return false;
    const { cause, source } = normalizeHangup({
      hangupCause: event.hangupCause,
      sipHangupCause: event.sipHangupCause,
      hangupSource: event.hangupSource,
      answered: rec.answered,
    });
    this.end(rec);
    this.emit({
      type: "hangup",
      callId: rec.callId,
      cause,
      source,
      ...(event.hangupCause ? { carrierCause: event.hangupCause } : {}),
      ...(event.sipHangupCause ? { sipCode: event.sipHangupCause } : {}),
    });
    return true;
  }

  private end(rec: CallRecord): void {
    rec.phase = "ended";
    rec.media?.endForHangup();
    settleBridge(rec, { ok: false, reason: "failed", message: "the call ended during the handoff" });
    this.scheduleForget(rec);
  }

  /** A media WebSocket reached us for `callId`; false (and the caller closes it) if it may not. */
  acceptMediaSocket(callId: string, token: string | undefined, socket: MediaSocket): boolean {
    const rec = this.calls.get(callId);
    if (
      !checkStreamToken(this.streamSecret, callId, token) ||
      !rec ||
      rec.phase === "ended" ||
      rec.silenced
    ) {
      return false;
    }
    rec.media?.close();
    const stream = new TelnyxMediaStream(socket, () => rec.phase !== "ended");
    rec.media = stream;
    rec.told.delete("media");
    stream.onStart(() => this.maybeEmitMedia(rec));
    return true;
  }

  checkStreamToken(callId: string, token: string | undefined): boolean {
    return checkStreamToken(this.streamSecret, callId, token);
  }

  private maybeEmitMedia(rec: CallRecord): void {
    // The session gets the stream only after `answered`, whichever of the two reached us first.
    if (!rec.answered || rec.told.has("media") || !rec.media?.isStarted || rec.phase === "ended") return;
    rec.told.add("media");
    this.emit({ type: "media", callId: rec.callId, stream: rec.media });
  }

  private newRecord(callId: string): CallRecord {
    if (this.calls.has(callId)) throw new DialRefusedError("call id already dialled", "duplicate_call_id");
    const rec = newCallRecord(callId);
    this.calls.set(callId, rec);
    return rec;
  }

  private scheduleForget(rec: CallRecord): void {
    if (rec.forgetTimer) return;
    rec.forgetTimer = setTimeout(
      () => this.calls.delete(rec.callId),
      this.settings.endedRetentionMs ?? 15 * 60_000,
    );
    rec.forgetTimer.unref();
  }

  private emit(event: CarrierEvent): void {
    try {
      this.listener(event);
    } catch {
      this.warn({ callId: event.callId, type: event.type }, "carrier event listener threw");
    }
  }

  private warn(obj: object, msg: string): void {
    this.settings.logger?.warn(obj, msg);
  }

  async close(): Promise<void> {
    for (const rec of this.calls.values()) {
      clearTimeout(rec.forgetTimer);
      rec.media?.close();
      settleBridge(rec, { ok: false, reason: "failed", message: "carrier closed" });
    }
    this.calls.clear();
  }
}

export function createTelnyxCarrier(settings: TelnyxSettings): TelnyxCarrier {
  return new TelnyxCarrier(settings);
}
