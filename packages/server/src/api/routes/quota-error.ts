import type { ApiContext, KeyContext } from "../context.ts";
import { ApiError } from "../errors.ts";

/** The 429 for an empty balance, with the personalised links the skill tells assistants to pass on. */
export async function quotaError(
  ctx: ApiContext,
  key: KeyContext,
  code: "quota_exceeded" | "balance_depleted",
  message: string,
): Promise<ApiError> {
  const token = encodeURIComponent(key.raw);
  const base = ctx.config.publicUrl;
  const quota = await ctx.billing.quotaOf(key.record);
  if (code === "quota_exceeded") {
    return new ApiError(code, message, {
      action: {
        type: "sign_up",
        url: `${base}/signup?token=${token}`,
        sign_in_url: `${base}/signin?token=${token}`,
        message: "Sign up (or sign in) to link this key to an account, then retry the call.",
      },
      quota,
    });
  }
  return new ApiError(code, message, {
    action: {
      type: "purchase",
      url: `${base}/purchase?token=${token}`,
      message: "Buy more call time, then retry.",
    },
    quota,
  });
}
