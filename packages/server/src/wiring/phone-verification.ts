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
 * The voice the service speaks in outside conversations (the verification question, a handoff's warm
 * greeting): the agent's, or with none (no speech vendor, or a voice agent supplied by an embedding
 * application) flite, which ships with ClawCall: a fixed line needs no better voice than that.
 */
export function serviceVoice(agentVoice: TTS | undefined): { tts: TTS; close(): Promise<void> } {
  if (agentVoice) return { tts: agentVoice, close: async () => {} };
  const synth = new FliteSynth();
  return { tts: new FliteTts(synth), close: () => synth.close() };
}

/**
 * Builds the account phones and their verification calls. On the sandbox the simulated owners are shown
 * the code and understand the question from its text, as its callees understand the agent.
 */
export function createAccountPhones(deps: {
  db: Db;
  /** The carrier's side line (see telephony/carrier-switchboard.ts). */
  carrier: Carrier;
  pool: NumberPool;
  logger: Logger;
  tts: TTS;
  sandbox?: { spokenText: SpokenTextJournal; shownCodes: ShownCodes };
}): AccountPhones {
  const calls = new VerificationCalls({
    carrier: deps.carrier,
    tts: deps.tts,
    logger: deps.logger,
    ...(deps.sandbox ? { spokenText: deps.sandbox.spokenText } : {}),
  });
  const shownCodes = deps.sandbox?.shownCodes;
  return new AccountPhones({
    db: deps.db,
    calls,
    lines: deps.pool,
    logger: deps.logger,
    ...(shownCodes ? { showCode: (phone: string, code: string) => shownCodes.show(phone, code) } : {}),
  });
}
