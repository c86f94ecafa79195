import { expect, it } from "vitest";
import type { HangupCause } from "../../src/telephony/carrier.ts";
import { normalizeHangup } from "../../src/telephony/telnyx/hangup-causes.ts";
import { describeWith, SHARED_SPECS } from "../helpers/prerequisites.ts";
import { TelnyxSpec } from "../telnyx-emulator/spec-validator.ts";

/** What each cause Telnyx documents means, with the SIP code it usually comes with. */
const EXPECTED_UNANSWERED: Record<string, [sip: string | undefined, cause: HangupCause]> = {
  call_rejected: ["603", "rejected"],
  normal_clearing: [undefined, "no_answer"],
  originator_cancel: ["487", "cancelled"],
  timeout: ["487", "no_answer"],
  time_limit: [undefined, "no_answer"],
  user_busy: ["486", "busy"],
  not_found: ["404", "invalid_number"],
  no_answer: ["480", "no_answer"],
  unspecified: [undefined, "carrier_error"],
};

describeWith(SHARED_SPECS, "hang-up causes: every hangup_cause in Telnyx's spec", () => {
  const causes = new TelnyxSpec().hangupCauses();

  it("the spec's enum is the set this table was written for", () => {
    expect([...causes].sort()).toEqual(Object.keys(EXPECTED_UNANSWERED).sort());
  });

  for (const cause of causes) {
    it(`${cause}: before answer maps to its failure, after answer to a normal end`, () => {
      const expected = EXPECTED_UNANSWERED[cause];
      expect(expected, `no expectation written for ${cause}`).toBeDefined();
      const [sip, result] = expected!;
      const before = normalizeHangup({
        hangupCause: cause,
        sipHangupCause: sip,
        hangupSource: "unknown",
        answered: false,
      });
      expect(before.cause).toBe(result);
      const after = normalizeHangup({
        hangupCause: cause,
        sipHangupCause: "200",
        hangupSource: "callee",
        answered: true,
      });
      expect(after.cause).toBe("normal");
      expect(["caller", "callee", "system", "unknown"]).toContain(after.source);
    });
  }
});
