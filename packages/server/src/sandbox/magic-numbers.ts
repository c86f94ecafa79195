/**
 * The sandbox's magic numbers: any valid area code, line 555-01XX. The network-level ones decide how a
 * dial ends before anyone talks; the rest are answered by a scripted persona.
 */
export type NetworkBehaviour =
  | "busy"
  | "no_answer"
  | "rejected"
  | "invalid_number"
  | "unreachable"
  | "dial_refused"
  | "drops_mid_call"
  | "answers";

const NETWORK: Record<string, NetworkBehaviour> = {
  "0101": "busy",
  "0102": "no_answer",
  "0103": "rejected",
  "0104": "invalid_number",
  "0105": "unreachable",
  "0106": "dial_refused",
  "0107": "drops_mid_call",
  // A bridge target that rings and is never picked up.
  "0117": "no_answer",
};

/** The 4-digit line of a 555-01XX number, or null for any other number. */
export function magicLine(e164: string): string | null {
  const m = /^\+1[2-9]\d{2}555(01\d{2})$/.exec(e164);
  return m ? (m[1] as string) : null;
}

export function networkBehaviour(e164: string): NetworkBehaviour {
  const line = magicLine(e164);
  return (line && NETWORK[line]) || "answers";
}

/** The voicemail line is answered by a machine, which a carrier's answering-machine detection reports. */
export const answeredByMachine = (e164: string) => magicLine(e164) === "0108";
