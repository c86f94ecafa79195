import { startTelnyxEmulator } from "./emulator.ts";

/**
 * Runs the Telnyx emulator on its own: point ClawCall's Telnyx adapter at the printed base URL and
 * public key (TELNYX_BASE_URL is test-only configuration; production talks to Telnyx).
 */
const port = Number(process.env["TELNYX_EMULATOR_PORT"] ?? 4010);
const emulator = await startTelnyxEmulator({ port });
process.stdout.write(
  `Telnyx emulator listening\n  API base URL:      ${emulator.apiBaseUrl}\n  webhook public key: ${emulator.publicKey}\n`,
);

const stop = async () => {
  await emulator.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
