import { ERROR_CODES } from "@clawcall/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.ts";

/** The address users reach this deployment at, as a proxy in front of it would be: not where it listens. */
const PUBLIC_URL = "https://calls.example.test";
const GUIDES = `${PUBLIC_URL}/guides/v1/`;

/** The guide pages a Markdown text links to, without their fragments. */
function guideLinks(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\((https?:\/\/[^)\s]+)\)/g)].map((m) => m[1]!.split("#")[0]!);
  return [...new Set(links.filter((l) => l.startsWith(GUIDES)))];
}

describe("the guides", () => {
  let service: TestService;
  /** Fetches a public guide address from the service behind it. */
  const get = (url: string, headers?: Record<string, string>) =>
    service.request("GET", url.replace(PUBLIC_URL, ""), { headers });

  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_PUBLIC_URL: PUBLIC_URL });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("serves the index as cacheable Markdown to anyone, with this deployment's address filled in", async () => {
    const res = await get(`${GUIDES}index.md`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+/);
    expect(res.text).toContain(PUBLIC_URL);
    expect(res.text).not.toContain("{BASE_URL}");
    expect(res.text).not.toContain("127.0.0.1");
    // No key was asked for, so none was minted.
    expect(res.headers.get("x-clawcall-api-key")).toBeNull();
  });

  it("every page the index links to, and every guide those pages link to, is there", async () => {
    const seen = new Set<string>();
    const queue = [`${GUIDES}index.md`];
    while (queue.length > 0) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type"), url).toBe("text/markdown; charset=utf-8");
      expect(res.text, url).not.toContain("{BASE_URL}");
      queue.push(...guideLinks(res.text));
    }
    expect([...seen].sort()).toEqual(
      [
        "index.md",
        "live-handoff.md",
        "outcomes-and-errors.md",
        "remote-mcp.md",
        "results.md",
        "skill.md",
        "writing-a-task.md",
      ].map((page) => GUIDES + page),
    );
  });

  it("serves the skill itself, telling the assistant to use this deployment", async () => {
    const res = await get(`${GUIDES}skill.md`);
    expect(res.text).toMatch(/^---\s*\nname: clawcall\n/);
    expect(res.text).toContain(`**Base URL.** \`${PUBLIC_URL}\``);
    expect(res.text).toContain(`POST ${PUBLIC_URL}/call`);
    // The default a copy of the skill found elsewhere would fall back to does not apply here.
    expect(res.text).not.toContain("127.0.0.1:8787");
  });

  it("the results guide describes the result extension as one a client may ignore", async () => {
    const res = await get(`${GUIDES}results.md`);
    for (const status of ["achieved", "partial", "not_achieved", "needs_info", "not_reached"])
      expect(res.text).toContain(`\`${status}\``);
    expect(res.text).toMatch(/may ignore it/);
  });

  it("is described in /openapi.json", async () => {
    const doc = (await service.request("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths["/guides/v1/{page}"].get.responses)).toEqual(["200", "404", "429"]);
  });

  it("answers a page it already sent with 304 when the client sends its ETag back", async () => {
    const first = await get(`${GUIDES}writing-a-task.md`);
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await get(`${GUIDES}writing-a-task.md`, { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("answers an unknown guide with the error envelope and a stable code, pointing at the index", async () => {
    for (const url of [
      `${GUIDES}nope.md`,
      `${GUIDES}..%2Fpackage.json`,
      `${PUBLIC_URL}/guides/v2/index.md`,
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get("content-type"), url).toMatch(/^application\/json/);
      expect(res.body.error.code, url).toBe("not_found");
      expect(ERROR_CODES, url).toContain(res.body.error.code);
    }
    expect((await get(`${GUIDES}nope.md`)).body.error.message).toContain(`${GUIDES}index.md`);
  });
});

describe("the guides under the request limit", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ CLAWCALL_REQUESTS_PER_MINUTE: "2" });
  });
  afterAll(async () => {
    await service?.dispose();
  });

  it("are limited per client like every other public page", async () => {
    expect((await service.request("GET", "/guides/v1/index.md")).status).toBe(200);
    expect((await service.request("GET", "/guides/v1/skill.md")).status).toBe(200);
    const refused = await service.request("GET", "/guides/v1/index.md");
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
