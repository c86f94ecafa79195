import { describe, expect, it } from "vitest";
import { normalizeHangup } from "./hangup-causes.ts";

const unanswered = (hangupCause: string, sip?: string, hangupSource = "unknown") =>
  normalizeHangup({ hangupCause, sipHangupCause: sip, hangupSource, answered: false });

describe("Telnyx hang-up normalization", () => {
  it("reads the SIP code when Telnyx's cause is unspecified", () => {
    expect(unanswered("unspecified", "410").cause).toBe("unreachable");
    expect(unanswered("unspecified", "503").cause).toBe("unreachable");
    expect(unanswered("unspecified", "603").cause).toBe("rejected");
    expect(unanswered("unspecified", "486").cause).toBe("busy");
    expect(unanswered("unspecified", "484").cause).toBe("invalid_number");
  });

  it("a 403 before answer is the carrier refusing us (channel limit), not the callee declining", () => {
    expect(unanswered("call_rejected", "403")).toEqual({ cause: "carrier_error", source: "system" });
    expect(unanswered("unspecified", "403").cause).toBe("carrier_error");
  });

  it("keeps who hung up an answered call, and blames the network for a time limit", () => {
    const byCallee = normalizeHangup({
      hangupCause: "normal_clearing",
      sipHangupCause: "200",
      hangupSource: "callee",
      answered: true,
    });
    expect(byCallee).toEqual({ cause: "normal", source: "callee" });
    const limit = normalizeHangup({
      hangupCause: "time_limit",
      sipHangupCause: undefined,
      hangupSource: "unknown",
      answered: true,
    });
    expect(limit).toEqual({ cause: "normal", source: "system" });
  });

  it("a network failure under an answered call is a network error", () => {
    const r = normalizeHangup({
      hangupCause: "unspecified",
      sipHangupCause: "503",
      hangupSource: "unknown",
      answered: true,
    });
    expect(r.cause).toBe("network_error");
  });

  it("an unknown cause from a future Telnyx is a carrier error, not a crash", () => {
    expect(unanswered("something_new").cause).toBe("carrier_error");
    expect(
      normalizeHangup({
        hangupCause: undefined,
        sipHangupCause: undefined,
        hangupSource: undefined,
        answered: false,
      }).cause,
    ).toBe("carrier_error");
  });
});
