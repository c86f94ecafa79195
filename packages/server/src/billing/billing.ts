// Room billing/: keys (hashed), accounts, allowances and the append-only ledger of call time.
import { randomUUID } from "node:crypto";
import type { Quota, Tier } from "@clawcall/contract";
import type { Transaction } from "kysely";
import type { Db } from "../store/database.ts";
import type { AccountTable, Database } from "../store/schema.ts";
import { CallPreferenceStore } from "./call-preferences.ts";
import { DashboardSessions, type SessionLifetimes } from "./dashboard-sessions.ts";
import { type ApiKeyRecord, KeyStore, walletOf } from "./keys.ts";
import { Ledger } from "./ledger.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { SignupConfirmations } from "./signup-confirmations.ts";

export type Account = AccountTable;

export interface BillingSettings {
  /** Seconds a newly minted key may call for free. */
  freeSeconds: number;
  /** Seconds credited to a new account at sign-up. */
  signupGrantSeconds: number;
  /** What the purchase page says when no payment provider is configured. */
  purchaseText: string;
  purchaseUrl: string | undefined;
}

/** Keys, accounts and minutes: everything about who may call and how much time they have. */
export class Billing {
  readonly keys: KeyStore;
  readonly ledger: Ledger;
  readonly preferences: CallPreferenceStore;
  readonly signups: SignupConfirmations;
  readonly sessions: DashboardSessions;

  constructor(
    private readonly db: Db,
    private readonly settings: BillingSettings,
    sessionLifetimes?: SessionLifetimes,
  ) {
    this.ledger = new Ledger(db);
    this.keys = new KeyStore(db, () => this.ledger.forgetShown());
    this.preferences = new CallPreferenceStore(db);
    this.signups = new SignupConfirmations(db);
    this.sessions = new DashboardSessions(db, sessionLifetimes);
  }

  /** Mints a key with the free allowance, in one transaction so a key never exists without it. */
  async mintKey(now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.db.transaction().execute(async (tx) => {
      const minted = await new KeyStore(tx as unknown as Db).mint(now);
      await this.ledger.append(
        { wallet: walletOf(minted.record), delta: this.settings.freeSeconds, kind: "allowance" },
        now,
        tx,
      );
      return minted;
    });
  }

  /**
   * A key of an account from its birth, with no free allowance of its own: the account's time is what it
   * spends, so minting one never adds time (an OAuth grant gets one per authorization).
   */
  mintAccountKey(accountId: string, now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.keys.mint(now, accountId);
  }

  /** The balance a response made with this key shows, once the key was looked up (see `balanceToShow`). */
  balanceOf(key: ApiKeyRecord): Promise<number> {
    return this.ledger.balanceToShow(walletOf(key));
  }

  /**
   * `paid` once the key's account has bought time (or was granted it); a key on its free allowance, and
   * an account that only signed up, are `free` (the later revision's reading, which the seed leaves open).
   */
  async tierOf(key: ApiKeyRecord): Promise<Tier> {
    if (!key.account_id) return "free";
    return (await this.ledger.paidToShow(walletOf(key))) ? "paid" : "free";
  }

  async quotaOf(key: ApiKeyRecord): Promise<Quota> {
    const { credits, debits } = await this.ledger.totals(walletOf(key));
    return {
      used_seconds: debits,
      remaining_seconds: Math.max(0, credits - debits),
      limit_seconds: credits,
      tier: await this.tierOf(key),
    };
  }

  async createAccount(email: string, password: string, now: Date): Promise<Account | "email_taken"> {
    const normalized = normalizeEmail(email);
    const existing = await this.accountByEmail(normalized);
    if (existing) return "email_taken";
    const account = newAccount(normalized, await hashPassword(password), now);
    try {
      await this.db.transaction().execute((tx) => this.insertAccount(account, now, tx));
    } catch (e) {
      // Two sign-ups racing for one address: the unique index decides.
      if (await this.accountByEmail(normalized)) return "email_taken";
      throw e;
    }
    return account;
  }

  /**
   * Starts a sign-up that a mailed link finishes; nothing can sign in until then. The password is hashed
   * whether or not the address has an account, so the time the page takes does not tell which.
   */
  async startSignup(
    email: string,
    password: string,
    keyId: string | null,
    now: Date,
  ): Promise<{ code: string } | "has_account"> {
    const normalized = normalizeEmail(email);
    const passwordHash = await hashPassword(password);
    if (await this.accountByEmail(normalized)) return "has_account";
    return { code: await this.signups.create({ email: normalized, passwordHash, keyId }, now) };
  }

  /**
   * Finishes a mailed sign-up: the link's code with the password chosen at sign-up makes the account,
   * once. The password is asked again so that whoever opens a link they never asked for cannot finish
   * an account someone else chose the password of.
   */
  async confirmSignup(
    code: string,
    password: string,
    now: Date,
  ): Promise<{ account: Account; keyId: string | null } | "invalid" | "wrong_password" | "has_account"> {
    const pending = await this.signups.find(code, now);
    if (!pending) return "invalid";
    if (!(await verifyPassword(password, pending.password_hash))) return "wrong_password";
    const spent = async () => {
      await this.signups.consume(code, pending.email);
      return "has_account" as const;
    };
    if (await this.accountByEmail(pending.email)) return spent();
    const account = newAccount(pending.email, pending.password_hash, now);
    try {
      const made = await this.db.transaction().execute(async (tx) => {
        if (!(await this.signups.consume(code, pending.email, tx))) return false;
        await this.insertAccount(account, now, tx);
        return true;
      });
      if (!made) return "invalid";
    } catch (e) {
      if (await this.accountByEmail(pending.email)) return spent();
      throw e;
    }
    return { account, keyId: pending.key_id };
  }

  private async insertAccount(account: Account, now: Date, tx: Transaction<Database>): Promise<void> {
    await tx.insertInto("accounts").values(account).execute();
    if (this.settings.signupGrantSeconds > 0) {
      await this.ledger.append(
        { wallet: `account:${account.id}`, delta: this.settings.signupGrantSeconds, kind: "signup_grant" },
        now,
        tx,
      );
    }
  }

  async authenticate(email: string, password: string): Promise<Account | null> {
    const account = await this.accountByEmail(normalizeEmail(email));
    // Verify against a throwaway hash when the account is unknown, so timing does not reveal addresses.
    const ok = await verifyPassword(password, account?.password_hash ?? DUMMY_HASH);
    return account && ok ? account : null;
  }

  accountByEmail(email: string): Promise<Account | undefined> {
    return this.db.selectFrom("accounts").selectAll().where("email", "=", email).executeTakeFirst();
  }

  accountById(id: string): Promise<Account | undefined> {
    return this.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /**
   * Links a key to an account. What is left of the key's free allowance moves to the account through
   * two ledger rows, so no second is lost or created. Linking a key already on this account is a no-op;
   * a key linked elsewhere stays where it is.
   */
  async linkKey(
    key: ApiKeyRecord,
    account: Account,
    now: Date,
  ): Promise<"linked" | "already" | "other_account"> {
    if (key.account_id === account.id) return "already";
    if (key.account_id !== null) return "other_account";
    await this.db.transaction().execute(async (tx) => {
      const from = walletOf(key);
      const left = await this.ledger.balance(from, tx);
      if (left > 0) {
        const note = `key ${key.hint}`;
        await this.ledger.append({ wallet: from, delta: -left, kind: "transfer_out", note }, now, tx);
        await this.ledger.append(
          { wallet: `account:${account.id}`, delta: left, kind: "transfer_in", note },
          now,
          tx,
        );
      }
      await tx.updateTable("api_keys").set({ account_id: account.id }).where("id", "=", key.id).execute();
    });
    this.keys.forget(key.id);
    return "linked";
  }

  /** Operator grant or a purchase credited by a payment integration. */
  async credit(accountId: string, seconds: number, kind: "grant" | "purchase", note: string, now: Date) {
    await this.ledger.append({ wallet: `account:${accountId}`, delta: seconds, kind, note }, now);
  }
}

const normalizeEmail = (email: string) => email.trim().toLowerCase();

const newAccount = (email: string, passwordHash: string, now: Date): Account => ({
  id: randomUUID(),
  email,
  password_hash: passwordHash,
  created_at: now.toISOString(),
});

// A valid scrypt hash of a random password, used only to spend the same time on unknown addresses.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$MKLDbwQCMzd0hGDXz1hpl2bS0sL5NRrcAm9pXMq5PMg";
