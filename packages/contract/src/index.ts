export * from "./account.ts";
export * from "./call.ts";
export * from "./call-request.ts";
export * from "./call-result.ts";
export * from "./errors.ts";
export * from "./history.ts";
export * from "./phone.ts";
export * from "./preferences.ts";
