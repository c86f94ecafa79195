import type { NumberPool } from "../calls/number-pool.ts";
import type { Logger } from "../observability/logger.ts";
import { AccountPhones } from "../phones/account-phones.ts";
import { VerificationCalls } from "../phones/verification-call.ts";
import type { TTS } from "../providers/tts/tts.ts";
import type { ShownCodes } from "../sandbox/shown-codes.ts";
import { FliteSynth } from "../sandbox/speech/flite.ts";
import { FliteTts } from "../sandbox/speech/flite-tts.ts";
import type { Db } from "../store/database.ts";
import type { Carrier } from "../telephony/carrier.ts";
import type { SpokenTextJournal } from "../voice/spoken-text.ts";

/**
 * Builds the account phones and their verification calls. The question is asked in the agent's voice;
 * with none (a voice agent supplied by an embedding application) the sandbox's flite asks it, and a
 * carrier with no voice at all cannot verify phones. On the sandbox the simulated owners are shown the
 * code and understand the question from its text, as its callees understand the agent.
 */
export function createAccountPhones(deps: {
  db: Db;
  /** The carrier's side line (see telephony/carrier-switchboard.ts). */
  carrier: Carrier;
  pool: NumberPool;
  logger: Logger;
  tts?: TTS;
  sandbox?: { spokenText: SpokenTextJournal; shownCodes: ShownCodes };
}): { phones: AccountPhones; close(): Promise<void> } {
  const ownVoice = !deps.tts && deps.sandbox ? new FliteSynth() : null;
  const tts = deps.tts ?? (ownVoice ? new FliteTts(ownVoice) : undefined);
  const calls = tts
    ? new VerificationCalls({
        carrier: deps.carrier,
        tts,
        logger: deps.logger,
        ...(deps.sandbox ? { spokenText: deps.sandbox.spokenText } : {}),
      })
    : null;
  const shownCodes = deps.sandbox?.shownCodes;
  const phones = new AccountPhones({
    db: deps.db,
    calls,
    lines: deps.pool,
    logger: deps.logger,
    ...(shownCodes ? { showCode: (phone: string, code: string) => shownCodes.show(phone, code) } : {}),
  });
  return {
    phones,
    async close() {
      await ownVoice?.close();
    },
  };
}
