export { registerTelnyxRoutes, telnyxRoutes, telnyxVendorRoutes } from "./routes.ts";
export {
  createTelnyxCarrier,
  TelnyxCarrier,
  type TelnyxSettings,
  type WebhookOutcome,
} from "./telnyx-carrier.ts";
