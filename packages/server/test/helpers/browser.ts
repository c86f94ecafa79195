import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM_PATH } from "./prerequisites.ts";

/** Where browser suites write their screenshots (gitignored). */
export const TEST_OUTPUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-output");

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 30_000,
    // The recording player is started by the test, not by a person's click.
    args: ["--autoplay-policy=no-user-gesture-required", "--no-sandbox"],
  });
}

export function screenshotPath(suite: string, name: string): string {
  const dir = path.join(TEST_OUTPUT, suite);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page and returns its serious and critical violations. axe is evaluated through
 * the devtools protocol, which the page's script policy does not govern, so the policy under test stays on.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: typeof axe }).axe.run;
    const result = await run({ resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
