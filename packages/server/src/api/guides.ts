import { createHash } from "node:crypto";
import fs from "node:fs";

/** The repository's root, where the guide texts live (docs/guides/ and the client's SKILL.md). */
const ROOT = new URL("../../../../", import.meta.url);

/** The pages under /guides/v1/, by name, and the file each is written in. */
const SOURCES: Readonly<Record<string, string>> = {
  "index.md": "docs/guides/index.md",
  "skill.md": "packages/client/SKILL.md",
  "writing-a-task.md": "docs/guides/writing-a-task.md",
  "outcomes-and-errors.md": "docs/guides/outcomes-and-errors.md",
  "live-handoff.md": "docs/guides/live-handoff.md",
  "results.md": "docs/guides/results.md",
  "remote-mcp.md": "docs/guides/remote-mcp.md",
};

export const GUIDE_INDEX = "index.md";

/**
 * SKILL.md tells an assistant that found it on its own which service to use; a copy this service serves
 * names this service instead.
 */
const SKILL_BASE_URL = /\*\*Base URL\.\*\*[\s\S]*?Every path below is relative\s+to it\./;

export interface GuidePage {
  text: string;
  etag: string;
}

/**
 * The guides, read once, with this deployment's base URL written where the texts say `{BASE_URL}`. The
 * base URL is known only once the service listens (it may pick its own port), so pages are filled in on
 * first use and again if it changes.
 */
export class Guides {
  private readonly raw = new Map<string, string>();
  private filled: { base: string; pages: Map<string, GuidePage> } | null = null;

  constructor() {
    for (const [name, file] of Object.entries(SOURCES)) {
      const text = fs.readFileSync(new URL(file, ROOT), "utf8");
      if (name === "skill.md" && !SKILL_BASE_URL.test(text))
        throw new Error(
          `${file}: its "**Base URL.**" paragraph is missing, so served copies cannot name this service`,
        );
      this.raw.set(name, text);
    }
  }

  page(name: string, base: string): GuidePage | undefined {
    if (this.filled?.base !== base) this.filled = { base, pages: new Map() };
    const cached = this.filled.pages.get(name);
    if (cached) return cached;
    const raw = this.raw.get(name);
    if (raw === undefined) return undefined;
    const text = fillIn(name, raw, base);
    const page = { text, etag: `"${createHash("sha256").update(text).digest("base64url").slice(0, 27)}"` };
    this.filled.pages.set(name, page);
    return page;
  }
}

// Replaced through functions: a replacement string would read any `$` in the URL as a pattern.
function fillIn(name: string, raw: string, base: string): string {
  const text =
    name === "skill.md"
      ? raw.replace(
          SKILL_BASE_URL,
          () =>
            `**Base URL.** \`${base}\`, the ClawCall service this copy of the skill came from. Every path below is relative to it.`,
        )
      : raw;
  return text.replaceAll("{BASE_URL}", () => base);
}
