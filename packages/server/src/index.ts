export { runAdmin } from "./admin/admin.ts";
export type { AnsweredCall, ConversationEngine, ConversationResult } from "./calls/conversation.ts";
export { ConfigError, loadConfig } from "./config/config.ts";
export { type RunningService, type ServiceOptions, startService } from "./service.ts";
