import { z } from "zod";
import { type EnvValues, optionalString, url } from "../../env/fields.ts";

/** Telnyx's variables. */
export const TELNYX_ENV = {
  TELNYX_API_KEY: optionalString,
  TELNYX_PUBLIC_KEY: optionalString,
  TELNYX_CONNECTION_ID: optionalString,
  // Points the Telnyx adapter at another API base, such as the emulator in tests.
  TELNYX_BASE_URL: url,
  TELNYX_AMD: z.enum(["detect_beep", "premium", "disabled"]).default("detect_beep"),
};

/** The variables a Telnyx carrier cannot start without. */
const REQUIRED = ["TELNYX_API_KEY", "TELNYX_PUBLIC_KEY", "TELNYX_CONNECTION_ID"] as const;

export function telnyxSettings(e: EnvValues<typeof TELNYX_ENV>) {
  return {
    apiKey: e.TELNYX_API_KEY,
    publicKey: e.TELNYX_PUBLIC_KEY,
    connectionId: e.TELNYX_CONNECTION_ID,
    baseUrl: e.TELNYX_BASE_URL,
    answeringMachineDetection: e.TELNYX_AMD,
  };
}

/** What is missing for CLAWCALL_CARRIER=telnyx, one line per variable. */
export function missingTelnyxSettings(e: EnvValues<typeof TELNYX_ENV>): string[] {
  return REQUIRED.filter((k) => !e[k]).map((k) => `${k}: required when CLAWCALL_CARRIER=telnyx`);
}
