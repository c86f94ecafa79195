import type { FailReason, Outcome } from "@clawcall/contract";
import type { Generated } from "kysely";

/**
 * SQL tables. Timestamps are ISO-8601 strings so both SQLite and Postgres store them alike.
 * Nothing here holds a raw key, a transcript, or a bridge number: those stay in memory.
 */
export interface ApiKeyTable {
  id: string;
  key_hash: string;
  /** The first characters after the prefix, to tell keys apart in the admin tool. */
  hint: string;
  account_id: string | null;
  created_at: string;
  revoked_at: string | null;
  /** Written at most once a minute per key, so polling does not turn into a write per request. */
  last_used_at: string | null;
}

export interface AccountTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: string;
}

/** Append-only: rows are inserted, never updated or deleted. A wallet is `key:<id>` or `account:<id>`. */
export interface LedgerTable {
  id: Generated<number>;
  wallet: string;
  delta_seconds: number;
  kind: "allowance" | "signup_grant" | "grant" | "purchase" | "call" | "transfer_in" | "transfer_out";
  /** Set for call debits; unique with kind so a call is debited at most once. */
  call_id: string | null;
  note: string | null;
  created_at: string;
}

export interface CallTable {
  id: string;
  key_id: string;
  wallet: string;
  state: "queued" | "ringing" | "in_progress" | "ended";
  to_number: string;
  from_number: string | null;
  task: string;
  personality: string | null;
  greeting: string | null;
  voice: string;
  has_bridge: number;
  fail_reason: FailReason | null;
  outcome: Outcome | null;
  outcome_detail: string | null;
  talk_seconds: number | null;
  queued_at: string;
  dialing_at: string | null;
  answered_at: string | null;
  finalized_at: string | null;
  /** Last time the owning node saw this call alive; bounds talk time after a crash. */
  last_seen_at: string;
  owner_node: string;
  recording_url: string | null;
  recording_expires_at: string | null;
  meta: string | null;
  /** What came of the call (a CallReport as JSON); null until the call is final. */
  result: string | null;
  /**
   * HMAC of the address group that placed the call (never the address itself): free calls ringing at
   * once are capped per client, whatever keys it mints.
   */
  placed_by: string | null;
  /** The live handoff, as JSON of the contract's Handoff; null when none was tried. */
  handoff: string | null;
  /** The caller id the handoff's leg showed the user (one of our numbers, never the user's). */
  bridge_from: string | null;
}

/** One row per caller number in use, across all nodes; the number is the key, so it has one holder. */
export interface CallerNumberLeaseTable {
  number: string;
  /** No foreign key: the lease is written before its call's row. */
  call_id: string;
  leased_at: string;
}

/**
 * One row per paid checkout, keyed by the payment provider's session id, written in the same transaction
 * as its `purchase` ledger row: a payment delivered twice (or by two webhooks at once) credits once.
 */
export interface PaymentTable {
  session_id: string;
  account_id: string;
  seconds: number;
  /** In the currency's smallest unit, as charged. */
  amount: number;
  currency: string;
  created_at: string;
}

/**
 * One row per `Idempotency-Key` of a POST /call, for 24 hours. The id is an HMAC of the key, and a
 * minted API key is kept only encrypted under the idempotency key, so the table alone reveals neither. `call_id` is chosen before the call exists: the calls table's primary key is what
 * keeps two attempts of one placement from both creating a call.
 */
export interface IdempotencyKeyTable {
  id: string;
  /** Hash of the validated request: the same key with another body is a conflict. */
  fingerprint: string;
  call_id: string;
  minted_key: string | null;
  /** HMAC of the address group that made the first attempt: an anonymous retry must come from it. */
  client: string;
  created_at: string;
}

export interface Database {
  api_keys: ApiKeyTable;
  accounts: AccountTable;
  ledger: LedgerTable;
  calls: CallTable;
  caller_number_leases: CallerNumberLeaseTable;
  payments: PaymentTable;
  idempotency_keys: IdempotencyKeyTable;
  call_preferences: CallPreferencesTable;
  signup_confirmations: SignupConfirmationTable;
  oauth_clients: OAuthClientTable;
  oauth_codes: OAuthCodeTable;
  oauth_grants: OAuthGrantTable;
  oauth_tokens: OAuthTokenTable;
  dashboard_sessions: DashboardSessionTable;
  account_phones: AccountPhoneTable;
  webhook_endpoints: WebhookEndpointTable;
  call_webhooks: CallWebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  wallet_balances: WalletBalanceTable;
}

/**
 * An account's own phone and how its verification went. The code typed on the keypad is kept only as a
 * SHA-256, for the one verification call it was made for.
 */
export interface AccountPhoneTable {
  account_id: string;
  phone: string;
  /** calling | verified | failed */
  status: string;
  code_hash: string | null;
  code_expires_at: string | null;
  verified_at: string | null;
  last_error: string | null;
  updated_at: string;
}

/**
 * Each wallet's balance, kept: the sum of its ledger rows, moved in the same transaction as every row
 * inserted, so a read is one primary-key lookup instead of a sum over the wallet's whole history. The
 * ledger stays the record; this is derived from it (the migration that made it summed the ledger).
 */
export interface WalletBalanceTable {
  wallet: string;
  balance_seconds: number;
}

/** An owner's defaults for calls that omit them; the owner is a wallet name (`key:<id>` or `account:<id>`). */
export interface CallPreferencesTable {
  owner: string;
  voice: string | null;
  personality: string | null;
  greeting: string | null;
  warm_greeting: string | null;
  updated_at: string;
}

/**
 * A sign-up waiting for its mailed link. Not an account: it cannot sign in and does not hold its address,
 * so several may wait for one address and the first confirmed wins. The link's code is kept only hashed.
 */
export interface SignupConfirmationTable {
  code_hash: string;
  /** Normalized, as the account will have it. */
  email: string;
  password_hash: string;
  /** The key the person chose to link when signing up, linked once the sign-up is confirmed. */
  key_id: string | null;
  created_at: string;
  expires_at: string;
}

/** A client that registered itself (RFC 7591): public, so it has no secret, only its redirect URIs. */
export interface OAuthClientTable {
  client_id: string;
  /** As the client named itself: shown on the consent page as its claim, not as a verified name. */
  client_name: string | null;
  /** JSON array of the exact redirect URIs it may use. */
  redirect_uris: string;
  created_at: string;
}

/** An authorization code, kept only as its SHA-256, single-use and short-lived. */
export interface OAuthCodeTable {
  code_hash: string;
  client_id: string;
  account_id: string;
  redirect_uri: string;
  /** The PKCE S256 challenge the token request's verifier must match. */
  code_challenge: string;
  scope: string;
  expires_at: string;
  created_at: string;
  /** Set when the code is spent; a second use ends the grant the first one made. */
  used_at: string | null;
  grant_id: string | null;
}

/** What an account allowed a client: it acts through a key of the account minted for the grant alone. */
export interface OAuthGrantTable {
  id: string;
  client_id: string;
  account_id: string;
  key_id: string;
  scope: string;
  created_at: string;
  revoked_at: string | null;
}

/**
 * An access or refresh token, kept only as its SHA-256. The grant's API key is kept encrypted under the
 * token itself, so the table alone gives neither the token nor the key.
 */
export interface OAuthTokenTable {
  token_hash: string;
  grant_id: string;
  kind: "access" | "refresh";
  key_box: string;
  expires_at: string;
  created_at: string;
}

/**
 * A dashboard sign-in. The cookie holds 32 random bytes; only their SHA-256 is kept, so the table alone
 * signs nobody in. A session ends at `expires_at` (absolute) or after a quiet spell since `last_seen_at`.
 */
export interface DashboardSessionTable {
  id_hash: string;
  account_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

/**
 * A wallet's webhook: where every call of it is reported (none when `url` is null: its secret only signs
 * the calls that name their own `webhook_url`). The signing secret is kept sealed under the service
 * secret: the service must compute HMACs with it, so it cannot be hashed like a key.
 */
export interface WebhookEndpointTable {
  owner: string;
  url: string | null;
  /** JSON array of event types. */
  events: string;
  secret_box: string;
  secret_hint: string;
  created_at: string;
  updated_at: string;
}

/** The `webhook_url` a call was placed with, written with the call. */
export interface CallWebhookTable {
  call_id: string;
  url: string;
}

/**
 * The outbox: one row per event and receiver, inserted in the transaction of what it reports, sent by
 * whichever node leases it first. `payload` never holds transcript text (transcripts are never on disk):
 * it is added from the live store at each attempt.
 */
export interface WebhookDeliveryTable {
  id: string;
  event_id: string;
  event_type: string;
  owner: string;
  call_id: string;
  url: string;
  payload: string;
  /** call.transcript: which line of the live transcript the event carries. */
  transcript_index: number | null;
  /** call.completed: the call's transcript is added when sent. */
  with_transcript: number;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: string | null;
  lease_until: string | null;
  lease_holder: string | null;
  last_status_code: number | null;
  last_error: string | null;
  replay_of: string | null;
  created_at: string;
  delivered_at: string | null;
}
