import { existsSync } from "node:fs";
import { describe, it } from "vitest";
import { pocketsphinxAvailable } from "../../src/sandbox/speech/pocketsphinx-stt.ts";
import { SPEC_PATH } from "../telnyx-emulator/spec-validator.ts";

/**
 * What some suites need beyond `npm install`. On a bare clone they skip, each with one line saying what is
 * missing and how to get it; `.ci/run` provides all of them and sets the variable that turns a missing one
 * into a failure, so CI never skips silently.
 */
export interface Prerequisite {
  /** What the suites need, as a person would name it. */
  readonly what: string;
  /** Null when present; otherwise what is missing. */
  readonly missing: () => string | null;
  /** How to get it. */
  readonly enable: string;
  /** The variable `.ci/run` sets to make its absence a failure. */
  readonly requiredBy: string;
}

export const SHARED_SPECS: Prerequisite = {
  what: "Telnyx's OpenAPI file",
  missing: () => (existsSync(SPEC_PATH) ? null : `${SPEC_PATH} not found`),
  enable: "it sits in the project's shared folder beside the repository, which a public clone does not have",
  requiredBy: "CLAWCALL_REQUIRE_SHARED",
};

const SERVICES_ENABLE =
  "start PostgreSQL and Redis on loopback and set CLAWCALL_TEST_POSTGRES_URL and CLAWCALL_TEST_REDIS_URL as .ci/run does";

export const POSTGRES_AND_REDIS: Prerequisite = {
  what: "PostgreSQL and Redis",
  missing: () => unset(["CLAWCALL_TEST_POSTGRES_URL", "CLAWCALL_TEST_REDIS_URL"]),
  enable: SERVICES_ENABLE,
  requiredBy: "CLAWCALL_REQUIRE_SERVICES",
};

export const POSTGRES: Prerequisite = {
  what: "PostgreSQL",
  missing: () => unset(["CLAWCALL_TEST_POSTGRES_URL"]),
  enable: SERVICES_ENABLE,
  requiredBy: "CLAWCALL_REQUIRE_SERVICES",
};

export const POCKETSPHINX: Prerequisite = {
  what: "the pocketsphinx recogniser",
  missing: () => (pocketsphinxAvailable() ? null : "pocketsphinx_continuous or its English model not found"),
  enable: "apt-get install pocketsphinx pocketsphinx-en-us",
  requiredBy: "CLAWCALL_REQUIRE_POCKETSPHINX",
};

/** Debian's Chromium, driven headless through playwright-core (which brings no browser of its own). */
export const CHROMIUM_PATH = process.env["CLAWCALL_CHROMIUM"] ?? "/usr/bin/chromium";

export const CHROMIUM: Prerequisite = {
  what: "a headless Chromium",
  missing: () => (existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} not found`),
  enable: "apt-get install chromium (or set CLAWCALL_CHROMIUM to a Chromium binary)",
  requiredBy: "CLAWCALL_REQUIRE_CHROMIUM",
};

function unset(variables: string[]): string | null {
  const missing = variables.filter((v) => !process.env[v]);
  return missing.length === 0 ? null : `${missing.join(" and ")} not set`;
}

/**
 * `describe` for suites that need a prerequisite. When it is missing the suite's body is never run (a
 * skipped `describe` would still run it to list its tests, and the body may need what is missing).
 */
export function describeWith(prerequisite: Prerequisite, name: string, body: () => void): void {
  const missing = prerequisite.missing();
  if (missing === null) {
    describe(name, body);
    return;
  }
  if (process.env[prerequisite.requiredBy] === "1") {
    describe(name, () => {
      it(`needs ${prerequisite.what}`, () => {
        throw new Error(`${missing}, and ${prerequisite.requiredBy}=1 says this suite must run`);
      });
    });
    return;
  }
  console.warn(
    `SKIPPED "${name}": needs ${prerequisite.what} (${missing}). To run it, ${prerequisite.enable}. ` +
      `.ci/run provides it and sets ${prerequisite.requiredBy}=1.`,
  );
  describe.skip(name, () => {
    it(`needs ${prerequisite.what}`, () => {});
  });
}
