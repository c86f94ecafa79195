/**
 * Our call id travels in Telnyx's `client_state` (base64, echoed on every webhook of the leg), which is
 * inside the signed body: unlike the webhook URL's path, it cannot be forged by whoever can reach us.
 */
export type Leg = "main" | "bridge";

export interface ClientState {
  callId: string;
  leg: Leg;
}

export function encodeClientState(state: ClientState): string {
  return Buffer.from(JSON.stringify({ c: state.callId, l: state.leg === "bridge" ? "b" : "m" })).toString(
    "base64",
  );
}

export function decodeClientState(value: unknown): ClientState | undefined {
  if (typeof value !== "string" || value.length === 0 || value.length > 4096) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as { c?: unknown; l?: unknown };
    if (typeof parsed.c !== "string" || parsed.c.length === 0) return undefined;
    return { callId: parsed.c, leg: parsed.l === "b" ? "bridge" : "main" };
  } catch {
    return undefined;
  }
}
