import type { CallView, FailReason } from "@clawcall/contract";
import { describe, expect, it } from "vitest";
import { ClawCallError, type ClawCallErrorCode } from "./errors.ts";
import { DEFAULT_RETRY_DELAYS, decideCallRetry, decidePlaceRetry } from "./retry-policy.ts";

const error = (code: ClawCallErrorCode) => new ClawCallError({ code, message: code });
const failed = (failReason: FailReason) => ({ status: "failed", failReason }) as CallView;

describe("the skill's retry policy", () => {
  it("retries a refused dial after a few seconds and a full pool after 15 s, once", () => {
    expect(decidePlaceRetry(error("dial_failed"), 0, DEFAULT_RETRY_DELAYS)).toEqual({
      retry: true,
      delayMs: 3_000,
    });
    expect(decidePlaceRetry(error("number_pool_exhausted"), 0, DEFAULT_RETRY_DELAYS)).toEqual({
      retry: true,
      delayMs: 15_000,
    });
    expect(decidePlaceRetry(error("dial_failed"), 1, DEFAULT_RETRY_DELAYS)).toEqual({ retry: false });
  });

  it("never re-sends a POST whose fate is unknown or whose error needs the user", () => {
    for (const code of [
      "connection_error",
      "request_timeout",
      "quota_exceeded",
      "rate_limited",
      "invalid_phone",
    ] as const) {
      expect(decidePlaceRetry(error(code), 0, DEFAULT_RETRY_DELAYS)).toEqual({ retry: false });
    }
    expect(decidePlaceRetry(new Error("boom"), 0, DEFAULT_RETRY_DELAYS)).toEqual({ retry: false });
  });

  it("re-places a call only after dial_failed or network_error, once; never no_answer, busy or call_rejected", () => {
    expect(decideCallRetry(failed("network_error"), 0, DEFAULT_RETRY_DELAYS).retry).toBe(true);
    expect(decideCallRetry(failed("dial_failed"), 0, DEFAULT_RETRY_DELAYS).retry).toBe(true);
    expect(decideCallRetry(failed("network_error"), 1, DEFAULT_RETRY_DELAYS).retry).toBe(false);
    for (const reason of [
      "no_answer",
      "busy",
      "call_rejected",
      "invalid_number",
      "unreachable",
      "cancelled",
    ] as const) {
      expect(decideCallRetry(failed(reason), 0, DEFAULT_RETRY_DELAYS).retry).toBe(false);
    }
    expect(decideCallRetry({ status: "completed" } as CallView, 0, DEFAULT_RETRY_DELAYS).retry).toBe(false);
  });

  it("marks errors retryable honestly", () => {
    expect(error("dial_failed").retryable).toBe(true);
    expect(error("busy" as ClawCallErrorCode).retryable).toBe(false);
    expect(error("quota_exceeded").retryable).toBe(false);
    expect(error("invalid_api_key").retryable).toBe(false);
  });
});
