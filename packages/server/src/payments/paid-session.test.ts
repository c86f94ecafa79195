import { describe, expect, it } from "vitest";
import { parsePackages } from "./packages.ts";
import { judgeSession, type SessionFacts } from "./paid-session.ts";

const packages = parsePackages("60:900,300:3900");
if (typeof packages === "string") throw new Error(packages);
const account = "4f1c2a9e-0d6b-4c1e-9a7e-2b5d8c3f6a10";
const paid: SessionFacts = {
  id: "cs_test_a1",
  mode: "payment",
  payment_status: "paid",
  amount_total: 3900,
  currency: "usd",
  client_reference_id: account,
  metadata: { account_id: account, seconds: "18000", package: "300" },
};

describe("judging a completed Checkout Session", () => {
  it("credits a paid session for a package sold now, at its price", () => {
    expect(judgeSession(paid, packages, "usd")).toEqual({
      ok: true,
      purchase: {
        session_id: "cs_test_a1",
        account_id: account,
        seconds: 18000,
        amount: 3900,
        currency: "usd",
      },
    });
    expect(judgeSession({ ...paid, currency: "USD" }, packages, "usd").ok).toBe(true);
  });

  it("waits for an unpaid session and refuses anything that does not match the configuration", () => {
    expect(judgeSession({ ...paid, payment_status: "unpaid" }, packages, "usd")).toMatchObject({
      ok: false,
      credit: "not_yet",
    });
    const refused: Partial<SessionFacts>[] = [
      { mode: "subscription" },
      { amount_total: 900 },
      { amount_total: null },
      { currency: "eur" },
      { client_reference_id: "someone-else" },
      { metadata: null },
      { metadata: { ...paid.metadata, package: "120" } },
      { metadata: { ...paid.metadata, seconds: "18001" } },
      { metadata: { seconds: "18000", package: "300" } },
    ];
    for (const change of refused) {
      expect(judgeSession({ ...paid, ...change }, packages, "usd"), JSON.stringify(change)).toMatchObject({
        ok: false,
        credit: "never",
      });
    }
    // The same session after the operator changed the price or currency is refused too.
    expect(judgeSession(paid, [{ id: "300", minutes: 300, amount: 4900 }], "usd").ok).toBe(false);
    expect(judgeSession(paid, packages, "eur").ok).toBe(false);
  });
});
