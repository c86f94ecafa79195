export { registerTelnyxRoutes, telnyxRoutes, telnyxVendorRoutes } from "./routes.ts";
export { createTelnyxCarrier, TelnyxCarrier } from "./telnyx-carrier.ts";
export type { TelnyxSettings, WebhookOutcome } from "./telnyx-settings.ts";
