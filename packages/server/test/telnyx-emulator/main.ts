import { startTelnyxEmulator } from "./emulator.ts";
import { SPEC_PATH, specAvailable, TelnyxSpec } from "./spec-validator.ts";

/**
 * Runs the Telnyx emulator on its own: point ClawCall's Telnyx adapter at the printed base URL and
 * public key (TELNYX_BASE_URL is test-only configuration; production talks to Telnyx). Without Telnyx's
 * OpenAPI file beside the clone it still runs, but cannot check what it receives and sends.
 */
const port = Number(process.env["TELNYX_EMULATOR_PORT"] ?? 4010);
const spec = specAvailable() ? new TelnyxSpec() : null;
const emulator = await startTelnyxEmulator({ port, spec });
process.stdout.write(
  `Telnyx emulator listening\n  API base URL:      ${emulator.apiBaseUrl}\n  webhook public key: ${emulator.publicKey}\n`,
);
if (!spec) {
  process.stdout.write(
    `  spec validation:    off (${SPEC_PATH} not found): requests and webhooks are not checked against Telnyx's schema\n`,
  );
}

const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
