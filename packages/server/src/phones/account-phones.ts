// Room phones/: the account holder's own phone: its verification call, and the hand-off target it becomes.
import { createHash, randomInt } from "node:crypto";
import {
  type AccountPhone,
  type ErrorCode,
  PHONE_CODE_DIGITS,
  type PhoneVerificationError,
} from "@clawcall/contract";
import type { Logger } from "../observability/logger.ts";
import type { Db } from "../store/database.ts";
import { PhoneStore } from "./phone-store.ts";
import type { VerificationCalls, VerificationOutcome } from "./verification-call.ts";

/** How long a code works: its one call rings, asks twice and ends well within it. */
const CODE_TTL_MS = 5 * 60_000;

/** Caller numbers for the verification calls: the service's own pool, as for every call. */
export interface CallerLines {
  acquire(callId: string, now?: Date): Promise<string | null>;
  release(number: string, callId: string): Promise<void>;
}

export interface AccountPhonesDeps {
  db: Db;
  calls: VerificationCalls;
  lines: CallerLines;
  logger: Logger;
  /**
   * Shows the code to the sandbox's simulated phone owners (see sandbox/shown-codes.ts); given only on
   * the sandbox. A real owner reads it from the answer to POST /me/phone.
   */
  showCode?(phone: string, code: string): void;
}

export type StartedVerification =
  | { ok: true; phone: AccountPhone; code: string; expiresAt: Date; settled: Promise<void> }
  | { ok: false; code: ErrorCode; message: string };

const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

/**
 * An account's own phone. Verifying it places a short call that asks for the code the account holder was
 * shown; only the right code typed on that phone's keypad marks it verified, and only a verified phone is
 * a hand-off target (`loop_in_user`). The call is the service's, not the account's: it is not metered.
 */
export class AccountPhones {
  private readonly store: PhoneStore;

  constructor(private readonly deps: AccountPhonesDeps) {
    this.store = new PhoneStore(deps.db);
  }

  get(accountId: string): Promise<AccountPhone | null> {
    return this.store.get(accountId);
  }

  /** The phone `loop_in_user` hands off to, or null when the account has none verified. */
  verifiedPhone(accountId: string): Promise<string | null> {
    return this.store.verified(accountId);
  }

  remove(accountId: string): Promise<boolean> {
    return this.store.remove(accountId);
  }

  /**
   * Starts verifying `phone` for the account: the code is made, kept only hashed, and the call placed in
   * the background. `settled` resolves once its result is stored. The phone was validated by the caller.
   */
  async start(accountId: string, phone: string, now = new Date()): Promise<StartedVerification> {
    const calls = this.deps.calls;
    const lease = `verify:${accountId}:${now.getTime()}`;
    const from = await this.deps.lines.acquire(lease, now);
    if (from === null) {
      return {
        ok: false,
        code: "number_pool_exhausted",
        message: "Every line is in use; try verifying the phone again in a minute.",
      };
    }
    const code = String(randomInt(0, 10 ** PHONE_CODE_DIGITS)).padStart(PHONE_CODE_DIGITS, "0");
    const codeHash = hashCode(code);
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    let view: AccountPhone;
    try {
      view = await this.store.startVerification(accountId, phone, codeHash, expiresAt, now);
    } catch (err) {
      await this.deps.lines.release(from, lease);
      throw err;
    }
    this.deps.showCode?.(phone, code);
    const settled = calls
      .run(phone, from, code)
      .catch((err: unknown): VerificationOutcome => {
        this.deps.logger.warn({ err }, "verification call failed");
        return { verified: false, error: "call_failed" };
      })
      .then(async (outcome) => {
        const late = Date.now() > expiresAt.getTime();
        const final: VerificationOutcome =
          outcome.verified && late
            ? { verified: false, error: "expired" as PhoneVerificationError }
            : outcome;
        await this.store.settle(accountId, codeHash, final, new Date());
        this.deps.logger.info(
          { account: accountId, verified: final.verified, ...(final.verified ? {} : { error: final.error }) },
          "phone verification call ended",
        );
      })
      .catch((err: unknown) => this.deps.logger.error({ err }, "phone verification not stored"))
      .finally(() => this.deps.lines.release(from, lease));
    return { ok: true, phone: view, code, expiresAt, settled };
  }
}
