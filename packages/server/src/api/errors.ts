import {
  ERROR_STATUS,
  type ErrorAction,
  type ErrorBody,
  type ErrorCode,
  type Quota,
} from "@clawcall/contract";

/** The one error type of the API: a stable code, its HTTP status, and a sentence for people. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extras: { action?: ErrorAction; quota?: Quota; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
  }

  body(apiKey?: string): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.extras.action) body.error.action = this.extras.action;
    if (this.extras.quota) body.error.quota = this.extras.quota;
    if (apiKey) body.api_key = apiKey;
    return body;
  }
}
