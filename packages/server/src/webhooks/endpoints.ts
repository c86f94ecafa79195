import { DEFAULT_WEBHOOK_EVENTS, type WebhookEventType } from "@clawcall/contract";
import { CompiledRead } from "../store/compiled-read.ts";
import type { Db } from "../store/database.ts";
import type { WebhookEndpointTable } from "../store/schema.ts";
import { newSigningSecret, type SecretBox } from "./secret-box.ts";

/** A wallet's webhook as the service uses it; the secret stays sealed until a delivery is signed. */
export interface Endpoint {
  owner: string;
  url: string | null;
  events: WebhookEventType[];
  secretHint: string;
  createdAt: string;
  updatedAt: string;
}

const HINT_CHARS = 10;

function toEndpoint(row: WebhookEndpointTable): Endpoint {
  return {
    owner: row.owner,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventType[],
    secretHint: row.secret_hint,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Wallets' webhooks (`account:<id>` or `key:<id>`, as call preferences): the only SQL on
 * webhook_endpoints and call_webhooks. A signing secret is made once per wallet and returned only by the
 * call that made it.
 */
export class Endpoints {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async get(owner: string, db: Db = this.db): Promise<Endpoint | null> {
    const [row] = await this.endpointRead.rows(this.db, db, [owner]);
    return row ? toEndpoint(row) : null;
  }

  // Read for every transcript line of every call (the call's URL when the wallet takes transcript events;
  // see CallEventWriter): compiled once.
  private readonly endpointRead = new CompiledRead((on) =>
    on.selectFrom("webhook_endpoints").selectAll().where("owner", "=", ""),
  );
  private readonly callUrlRead = new CompiledRead((on) =>
    on.selectFrom("call_webhooks").select("url").where("call_id", "=", ""),
  );

  /**
   * The wallet's signing secret; `null` when it has none (the webhook was removed), `undefined` when it
   * cannot be opened here (sealed under another service secret: nodes without a shared CLAWCALL_SECRET).
   */
  async secret(owner: string): Promise<string | null | undefined> {
    const row = await this.db
      .selectFrom("webhook_endpoints")
      .select("secret_box")
      .where("owner", "=", owner)
      .executeTakeFirst();
    if (!row) return null;
    return this.box.open(row.secret_box) ?? undefined;
  }

  /**
   * Sets the wallet's URL and events (null URL: keep only a secret, for calls' own URLs), making a secret
   * when there is none or `rotate` asks for one. `secret` is the new one, when one was made.
   */
  async put(
    owner: string,
    settings: { url: string | null; events?: readonly WebhookEventType[]; rotate?: boolean },
    now: Date,
  ): Promise<{ endpoint: Endpoint; secret?: string }> {
    const existing = await this.get(owner);
    const secret = !existing || settings.rotate ? newSigningSecret() : undefined;
    const events = JSON.stringify([
      ...new Set(settings.events ?? existing?.events ?? DEFAULT_WEBHOOK_EVENTS),
    ]);
    const at = now.toISOString();
    const sealed = secret
      ? { secret_box: this.box.seal(secret), secret_hint: secret.slice(0, HINT_CHARS) }
      : {};
    if (existing) {
      await this.db
        .updateTable("webhook_endpoints")
        .set({ url: settings.url, events, updated_at: at, ...sealed })
        .where("owner", "=", owner)
        .execute();
    } else {
      await this.db
        .insertInto("webhook_endpoints")
        .values({
          owner,
          url: settings.url,
          events,
          secret_box: "",
          secret_hint: "",
          created_at: at,
          updated_at: at,
          ...sealed,
        })
        // Two first calls at once: the one that lost keeps the winner's secret (and shows none).
        .onConflict((oc) => oc.column("owner").doNothing())
        .execute();
      const made = await this.get(owner);
      if (made?.secretHint !== sealed.secret_hint) return { endpoint: made! };
    }
    const endpoint = (await this.get(owner))!;
    return secret ? { endpoint, secret } : { endpoint };
  }

  /** A secret for the wallet when it has none (a call naming its own webhook_url); the new one, if made. */
  async ensureSecret(owner: string, now: Date): Promise<string | undefined> {
    if (await this.get(owner)) return undefined;
    return (await this.put(owner, { url: null }, now)).secret;
  }

  /** Forgets a secret made for a call that was then not placed, unless something else uses it by now. */
  async discardUnused(owner: string, secret: string): Promise<void> {
    await this.db
      .deleteFrom("webhook_endpoints")
      .where("owner", "=", owner)
      .where("url", "is", null)
      .where("secret_hint", "=", secret.slice(0, HINT_CHARS))
      .execute();
  }

  async remove(owner: string): Promise<void> {
    await this.db.deleteFrom("webhook_endpoints").where("owner", "=", owner).execute();
  }

  /** Keeps the URL a call was placed with (in the transaction that stores the call). */
  async setCallUrl(tx: Db, callId: string, url: string): Promise<void> {
    await tx.insertInto("call_webhooks").values({ call_id: callId, url }).execute();
  }

  async callUrl(tx: Db, callId: string): Promise<string | null> {
    const [row] = await this.callUrlRead.rows(this.db, tx, [callId]);
    return row?.url ?? null;
  }
}
