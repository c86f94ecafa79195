import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomUUID,
} from "node:crypto";
import type { CallRequest } from "@clawcall/contract";
import type { Db } from "../store/database.ts";

const LIFETIME_MS = 24 * 3_600_000;
/**
 * A claim whose call does not exist yet is another attempt still placing it, or one that died before
 * it could. After this long without a call, the next attempt takes the placement over (with the same call
 * id, so two attempts can never both create it).
 */
const TAKEOVER_AFTER_MS = 10_000;
const POLL_MS = 100;
const PURGE_EVERY_MS = 3_600_000;

export type Claim =
  /** Place the call with this id; `mintedKey` is the key an earlier attempt already minted, if any. */
  | { kind: "place"; id: string; callId: string; mintedKey: string | null }
  /**
   * The call was placed by an earlier attempt: answer with it if the caller may see it (its key owns the
   * call, or it is the anonymous client that made the first attempt, from the same address).
   */
  | { kind: "replay"; callId: string; mintedKey: string | null; sameClient: boolean }
  | { kind: "conflict" };

/**
 * `Idempotency-Key` for POST /call, shared by every node through the database. A placement that did not
 * place a call (quota, busy lines, a refused dial) forgets its claim, so retrying it tries again; once a
 * call exists, the same key and body return it for 24 hours and a different body is a conflict.
 */
export class IdempotencyKeys {
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Claims the key for this request. `client` is the address group asking: an anonymous retry proves
   * itself by coming from the same one (a keyed retry, by owning the call).
   */
  async claim(
    idempotencyKey: string,
    client: string,
    request: CallRequest,
    now = () => new Date(),
  ): Promise<Claim> {
    await this.purge(now());
    const id = this.hmac(`idempotency-key\n${idempotencyKey}`);
    const clientHash = this.hmac(`client\n${client}`);
    const fingerprint = createHash("sha256").update(JSON.stringify(request)).digest("base64url");
    for (;;) {
      const t = now();
      const inserted = await this.db
        .insertInto("idempotency_keys")
        .values({
          id,
          fingerprint,
          call_id: randomUUID(),
          minted_key: null,
          client: clientHash,
          created_at: t.toISOString(),
        })
        .onConflict((oc) => oc.column("id").doNothing())
        .returning(["call_id"])
        .executeTakeFirst();
      if (inserted) return { kind: "place", id, callId: inserted.call_id, mintedKey: null };

      const row = await this.db
        .selectFrom("idempotency_keys")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (!row) continue; // forgotten in between: claim it afresh
      const age = t.getTime() - Date.parse(row.created_at);
      if (age >= LIFETIME_MS) {
        await this.db
          .deleteFrom("idempotency_keys")
          .where("id", "=", id)
          .where("created_at", "=", row.created_at)
          .execute();
        continue;
      }
      if (row.fingerprint !== fingerprint) return { kind: "conflict" };
      const minted = row.minted_key ? this.decrypt(row.minted_key, idempotencyKey) : null;
      const call = await this.db
        .selectFrom("calls")
        .select("id")
        .where("id", "=", row.call_id)
        .executeTakeFirst();
      if (call)
        return {
          kind: "replay",
          callId: row.call_id,
          mintedKey: minted,
          sameClient: row.client === clientHash,
        };
      if (age >= TAKEOVER_AFTER_MS) return { kind: "place", id, callId: row.call_id, mintedKey: minted };
      await this.sleep(POLL_MS);
    }
  }

  /** Keeps a key minted for this placement, encrypted under the idempotency key, for a retry to return. */
  async rememberMintedKey(id: string, idempotencyKey: string, apiKey: string): Promise<void> {
    await this.db
      .updateTable("idempotency_keys")
      .set({ minted_key: this.encrypt(apiKey, idempotencyKey) })
      .where("id", "=", id)
      .execute();
  }

  /** Drops a claim that placed no call, so that a retry tries again. */
  async forget(id: string): Promise<void> {
    await this.db.deleteFrom("idempotency_keys").where("id", "=", id).execute();
  }

  private hmac(text: string): string {
    return createHmac("sha256", this.secret).update(text).digest("base64url");
  }

  private cipherKey(idempotencyKey: string): Buffer {
    return createHmac("sha256", this.secret).update(`minted-key\n${idempotencyKey}`).digest();
  }

  private encrypt(text: string, idempotencyKey: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.cipherKey(idempotencyKey), iv);
    const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url")).join(".");
  }

  private decrypt(stored: string, idempotencyKey: string): string | null {
    const [iv, tag, body] = stored.split(".").map((p) => Buffer.from(p, "base64url"));
    if (!iv || !tag || !body) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.cipherKey(idempotencyKey), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
    } catch {
      return null;
    }
  }

  private async purge(now: Date): Promise<void> {
    if (now.getTime() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now.getTime();
    const cutoff = new Date(now.getTime() - LIFETIME_MS).toISOString();
    await this.db.deleteFrom("idempotency_keys").where("created_at", "<", cutoff).execute();
  }
}
