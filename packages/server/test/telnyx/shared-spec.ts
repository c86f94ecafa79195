import { describe } from "vitest";
import { SPEC_PATH, specAvailable } from "../telnyx-emulator/spec-validator.ts";

/**
 * Suites that need Telnyx's OpenAPI file from ../shared: skipped with a reason when it is absent,
 * except in CI (CLAWCALL_REQUIRE_SHARED=1), where they run and fail loudly instead.
 */
export function describeWithSpec(name: string, body: () => void): void {
  if (specAvailable() || process.env["CLAWCALL_REQUIRE_SHARED"] === "1") {
    describe(name, body);
    return;
  }
  describe.skip(`${name} [skipped: ${SPEC_PATH} not found; CLAWCALL_REQUIRE_SHARED=1 makes this fail]`, body);
}
