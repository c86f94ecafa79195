import { generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";

/** The emulator's own Ed25519 key pair, used the way Telnyx signs webhooks. */
export class WebhookSigner {
  readonly publicKeyBase64: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    this.privateKey = privateKey;
    // The SPKI DER of an Ed25519 key ends with the 32 raw bytes Telnyx publishes.
    this.publicKeyBase64 = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
  }

  sign(timestamp: string, rawBody: string): string {
    return sign(null, Buffer.from(`${timestamp}|${rawBody}`), this.privateKey).toString("base64");
  }

  /** Headers and body of a signed delivery; `timestamp` lets tests forge stale ones. */
  signed(body: object, timestamp = String(Math.floor(Date.now() / 1000))) {
    const raw = JSON.stringify(body);
    return {
      raw,
      headers: {
        "content-type": "application/json",
        "telnyx-timestamp": timestamp,
        "telnyx-signature-ed25519": this.sign(timestamp, raw),
      },
    };
  }
}

export function webhookEnvelope(
  eventType: string,
  payload: Record<string, unknown>,
  id: string = randomUUID(),
) {
  return {
    data: { event_type: eventType, id, occurred_at: new Date().toISOString(), payload, record_type: "event" },
    meta: { attempt: 1, delivered_to: "" },
  };
}
