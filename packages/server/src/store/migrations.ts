import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
type AnyDb = Kysely<any>;

export type Dialect = "sqlite" | "postgres";

const buildMigrations = (dialect: Dialect): Record<string, Migration> => ({
  "0001_initial": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("accounts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("api_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("key_hash", "text", (c) => c.notNull().unique())
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.references("accounts.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .execute();
      await db.schema
        .createTable("ledger")
        .addColumn("id", dialect === "sqlite" ? "integer" : "bigserial", (c) =>
          dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn("wallet", "text", (c) => c.notNull())
        .addColumn("delta_seconds", "integer", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("call_id", "text")
        .addColumn("note", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("ledger_wallet").on("ledger").column("wallet").execute();
      await db.schema
        .createIndex("ledger_call_once")
        .on("ledger")
        .columns(["call_id", "kind"])
        .unique()
        .execute();
      await db.schema
        .createTable("calls")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id"))
        .addColumn("wallet", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("to_number", "text", (c) => c.notNull())
        .addColumn("from_number", "text")
        .addColumn("task", "text", (c) => c.notNull())
        .addColumn("personality", "text")
        .addColumn("greeting", "text")
        .addColumn("voice", "text", (c) => c.notNull())
        .addColumn("has_bridge", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("fail_reason", "text")
        .addColumn("outcome", "text")
        .addColumn("outcome_detail", "text")
        .addColumn("talk_seconds", "integer")
        .addColumn("queued_at", "text", (c) => c.notNull())
        .addColumn("dialing_at", "text")
        .addColumn("answered_at", "text")
        .addColumn("finalized_at", "text")
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("owner_node", "text", (c) => c.notNull())
        .addColumn("recording_url", "text")
        .addColumn("recording_expires_at", "text")
        .addColumn("meta", "text")
        .execute();
      await db.schema.createIndex("calls_key_queued").on("calls").columns(["key_id", "queued_at"]).execute();
      await db.schema
        .createIndex("calls_wallet_queued")
        .on("calls")
        .columns(["wallet", "queued_at"])
        .execute();
      await db.schema.createIndex("calls_state").on("calls").column("state").execute();
    },
  },
  "0002_caller_number_leases": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("caller_number_leases")
        .addColumn("number", "text", (c) => c.primaryKey())
        .addColumn("call_id", "text", (c) => c.notNull())
        .addColumn("leased_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0003_payments": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("payments")
        .addColumn("session_id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("seconds", "integer", (c) => c.notNull())
        .addColumn("amount", "integer", (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("payments_account").on("payments").column("account_id").execute();
    },
  },
  "0004_idempotency_keys": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("idempotency_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("fingerprint", "text", (c) => c.notNull())
        .addColumn("call_id", "text", (c) => c.notNull())
        .addColumn("minted_key", "text")
        .addColumn("client", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("idempotency_keys_created")
        .on("idempotency_keys")
        .column("created_at")
        .execute();
    },
  },
  "0005_api_key_last_used": {
    async up(db: AnyDb) {
      await db.schema.alterTable("api_keys").addColumn("last_used_at", "text").execute();
    },
  },
  "0006_calls_placed_by": {
    async up(db: AnyDb) {
      await db.schema.alterTable("calls").addColumn("placed_by", "text").execute();
      await db.schema.createIndex("calls_placed_by").on("calls").columns(["placed_by", "state"]).execute();
    },
  },
  "0007_call_preferences": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("call_preferences")
        .addColumn("owner", "text", (c) => c.primaryKey())
        .addColumn("voice", "text")
        .addColumn("personality", "text")
        .addColumn("greeting", "text")
        .addColumn("warm_greeting", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0008_call_result": {
    async up(db: AnyDb) {
      // What came of the call (JSON of calls/call-result.ts's CallReport), written with its final state.
      await db.schema.alterTable("calls").addColumn("result", "text").execute();
    },
  },
  "0009_signup_confirmations": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("signup_confirmations")
        .addColumn("code_hash", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("key_id", "text", (c) => c.references("api_keys.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("signup_confirmations_email")
        .on("signup_confirmations")
        .column("email")
        .execute();
      await db.schema
        .createIndex("signup_confirmations_expires")
        .on("signup_confirmations")
        .column("expires_at")
        .execute();
    },
  },
  "0010_call_handoff": {
    async up(db: AnyDb) {
      await db.schema.alterTable("calls").addColumn("handoff", "text").execute();
      await db.schema.alterTable("calls").addColumn("bridge_from", "text").execute();
    },
  },
  "0011_webhooks": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("webhook_endpoints")
        .addColumn("owner", "text", (c) => c.primaryKey())
        .addColumn("url", "text")
        .addColumn("events", "text", (c) => c.notNull())
        .addColumn("secret_box", "text", (c) => c.notNull())
        .addColumn("secret_hint", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("call_webhooks")
        .addColumn("call_id", "text", (c) => c.primaryKey())
        .addColumn("url", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("event_id", "text", (c) => c.notNull())
        .addColumn("event_type", "text", (c) => c.notNull())
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("call_id", "text", (c) => c.notNull())
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("transcript_index", "integer")
        .addColumn("with_transcript", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "text")
        .addColumn("lease_until", "text")
        .addColumn("lease_holder", "text")
        .addColumn("last_status_code", "integer")
        .addColumn("last_error", "text")
        .addColumn("replay_of", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("delivered_at", "text")
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_due")
        .on("webhook_deliveries")
        .columns(["status", "next_attempt_at"])
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_owner")
        .on("webhook_deliveries")
        .columns(["owner", "created_at"])
        .execute();
    },
  },
  "0012_account_phones": {
    async up(db: AnyDb) {
      // One phone per account: the hand-off target of `loop_in_user`, once a call proved it is theirs.
      await db.schema
        .createTable("account_phones")
        .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id"))
        .addColumn("phone", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("code_hash", "text")
        .addColumn("code_expires_at", "text")
        .addColumn("verified_at", "text")
        .addColumn("last_error", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0013_oauth": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("oauth_clients")
        .addColumn("client_id", "text", (c) => c.primaryKey())
        .addColumn("client_name", "text")
        .addColumn("redirect_uris", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("oauth_codes")
        .addColumn("code_hash", "text", (c) => c.primaryKey())
        .addColumn("client_id", "text", (c) => c.notNull().references("oauth_clients.client_id"))
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("redirect_uri", "text", (c) => c.notNull())
        .addColumn("code_challenge", "text", (c) => c.notNull())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("used_at", "text")
        .addColumn("grant_id", "text")
        .execute();
      await db.schema.createIndex("oauth_codes_expires").on("oauth_codes").column("expires_at").execute();
      await db.schema
        .createTable("oauth_grants")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("client_id", "text", (c) => c.notNull().references("oauth_clients.client_id"))
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id"))
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .execute();
      await db.schema
        .createTable("oauth_tokens")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("grant_id", "text", (c) => c.notNull().references("oauth_grants.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("key_box", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("oauth_tokens_grant").on("oauth_tokens").column("grant_id").execute();
      await db.schema.createIndex("oauth_tokens_expires").on("oauth_tokens").column("expires_at").execute();
    },
  },
  "0014_wallet_balance": {
    async up(db: AnyDb) {
      await db.schema
        .createTable("wallet_balances")
        .addColumn("wallet", "text", (c) => c.primaryKey())
        .addColumn("balance_seconds", "integer", (c) => c.notNull())
        .execute();
      await walletBalancesFromLedger(db);
    },
  },
  "0015_dashboard_sessions": {
    async up(db: AnyDb) {
      // A dashboard sign-in: only the SHA-256 of its cookie's random id is kept.
      await db.schema
        .createTable("dashboard_sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("dashboard_sessions_account")
        .on("dashboard_sessions")
        .column("account_id")
        .execute();
      await db.schema
        .createIndex("dashboard_sessions_expires")
        .on("dashboard_sessions")
        .column("expires_at")
        .execute();
    },
  },
});

/** Fills the kept balances from the ledger's sums (the migration that made them; tests run it again). */
export async function walletBalancesFromLedger(db: AnyDb): Promise<void> {
  await db
    .insertInto("wallet_balances")
    .columns(["wallet", "balance_seconds"])
    .expression(
      db
        .selectFrom("ledger")
        .select(["wallet", sql`sum(delta_seconds)`.as("balance_seconds")])
        .groupBy("wallet"),
    )
    .execute();
}

export async function migrate(db: AnyDb, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => buildMigrations(dialect) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
  }
}
