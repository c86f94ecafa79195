import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/**
 * Seals webhook signing secrets under the service secret (AES-256-GCM, a key derived for this use
 * only). The service must compute HMACs with them, so they cannot be hashed like API keys; sealed, a copy
 * of the database alone does not give them away.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(serviceSecret: string) {
    this.key = createHmac("sha256", serviceSecret).update("webhook-signing-secrets").digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString("base64url")).join(".");
  }

  /** The secret, or null when the box was sealed under another service secret (or was altered). */
  open(box: string): string | null {
    const [iv, tag, data] = box.split(".").map((p) => Buffer.from(p, "base64url"));
    if (!iv || !tag || !data) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
    } catch {
      return null;
    }
  }
}

/** A new signing secret: 256 random bits, named like Stripe's so receivers recognise what it is. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}
