export {
  type AccountLinks,
  ClawCall,
  type ClawCallOptions,
  type RequestContext,
  type Sleep,
} from "./sdk/client.ts";
export {
  ClawCallError,
  type ClawCallErrorCode,
  type ClientErrorCode,
  isClawCallError,
} from "./sdk/errors.ts";
export { defaultKeyPath, type KeyFile, KeyStore, type KeyStoreOptions } from "./sdk/key-store.ts";
export {
  DEFAULT_RETRY_DELAYS,
  decideCallRetry,
  decidePlaceRetry,
  type RetryDecision,
  type RetryDelays,
  SILENT_REPLACE_REASONS,
} from "./sdk/retry-policy.ts";
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, type KeySource } from "./sdk/transport.ts";
export type { CallAndWaitOptions, CallAndWaitResult, StatusChange, WaitOptions } from "./sdk/wait.ts";
