export { registerTelnyxRoutes, telnyxRoutes } from "./routes.ts";
export {
  createTelnyxCarrier,
  TelnyxCarrier,
  type TelnyxSettings,
  type WebhookOutcome,
} from "./telnyx-carrier.ts";
