import type { CallResult } from "@clawcall/contract";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AnsweredCall, ConversationEngine, ConversationResult } from "../../src/calls/conversation.ts";
import { launchChromium, screenshotPath, seriousViolations } from "../helpers/browser.ts";
import { CHROMIUM, describeWith } from "../helpers/prerequisites.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { WEBHOOK_TEST_ENV, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const LINES = [
  { role: "assistant", text: "Hello, this is an AI assistant calling for Sam about Saturday." },
  { role: "user", text: "Hi, this is the front desk. How can I help?" },
  { role: "tool", text: "looked up the calendar", tool: "check_calendar" },
  { role: "user", text: "We are open from nine to noon on Saturday." },
  { role: "assistant", text: "Thank you, that is all. Goodbye." },
] as const;

const RESULT: CallResult = {
  status: "achieved",
  summary: "Achieved: +12125550100 is open from nine to noon on Saturday.",
  facts: [{ text: "Open nine to noon on Saturday.", turns: [3] }],
  missing_info: [],
  next_steps: ["Tell Sam the hours."],
};

/** An agent that speaks its lines slowly enough to watch them arrive, then says what came of the call. */
class DrippingEngine implements ConversationEngine {
  unavailableReason(): string | null {
    return null;
  }

  async run(call: AnsweredCall): Promise<ConversationResult> {
    call.media.attach({ onAudio: () => {} });
    for (const line of LINES) {
      if (call.signal.aborted) break;
      call.appendTranscript({ ...line });
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await call.hangup({ cause: "agent_ended", message: "task done" });
    return {
      endReason: "agent ended the call: task done",
      latency: {
        turns: 2,
        turn_p50_ms: 420,
        turn_p95_ms: 610,
        barge_ins: 0,
        barge_in_p50_ms: null,
        barge_in_p95_ms: null,
      },
      result: RESULT,
    };
  }
}

const SUITE = "dashboard";

/** What the test reads of the page's audio element (the project compiles without the DOM's types). */
interface AudioLike {
  play(): Promise<void>;
  currentTime: number;
  duration: number;
  error: { message: string } | null;
}

describeWith(CHROMIUM, "the dashboard in a browser", () => {
  let service: TestService;
  let browser: Browser;
  let page: Page;
  let receiver: WebhookReceiver;
  let receiverUrl: string;
  const policyViolations: string[] = [];

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    receiverUrl = await receiver.start();
    service = await startTestService(
      { CLAWCALL_SIGNUP_GRANT_SECONDS: "600", ...WEBHOOK_TEST_ENV },
      { engine: new DrippingEngine() },
    );
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) policyViolations.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await service?.dispose();
    await receiver?.close();
  });

  /** Follows a link of the dashboard's navigation. */
  const nav = (name: string) =>
    page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name, exact: true }).click();

  /** Screenshots the page and checks it with axe: no serious or critical violation. */
  async function check(name: string) {
    await page.screenshot({ path: screenshotPath(SUITE, name), fullPage: true });
    expect(await seriousViolations(page), name).toEqual([]);
  }

  // One person's whole visit, step after step: on a busy machine a browser takes its time.
  it("takes a person from sign-up to a sandbox call watched live, its recording, a revoked key and sign-out", {
    timeout: 120_000,
  }, async () => {
    await page.goto(`${service.url}/dashboard/calls`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
    await check("sign-in");
    await page.getByRole("link", { name: "Create your account" }).click();
    await page.getByLabel("Email").fill("sam@example.test");
    await page.getByLabel("Password").fill("copper meadow lantern");
    await check("sign-up");
    await page.getByRole("button", { name: "Create your account" }).click();
    await page.waitForURL(/\/dashboard\/calls$/);
    await check("calls-empty");

    // A webhook to a receiver on this machine, its secret shown once in a field to copy.
    await nav("Webhooks");
    await page.getByLabel("Address (URL)").fill(`${receiverUrl}/sam`);
    await page.getByLabel(/call\.transcript/).check();
    await page.getByRole("button", { name: "Save the webhook" }).click();
    const secret = await page.getByLabel("Signing secret", { exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await check("webhooks-secret");

    // Place the call from the page, by keyboard-reachable labelled fields.
    await nav("Place a call");
    expect(await page.getByText("This service runs on the sandbox").count()).toBe(1);
    await check("place");
    await page.getByLabel("Number to call").fill("+12125550100");
    await page.getByLabel("Task").fill("Ask whether the office is open on Saturday morning, for Sam.");
    await page.getByRole("button", { name: "Place the call" }).click();
    await page.waitForURL(/\/dashboard\/calls\/[^/]+$/);
    const callUrl = page.url();

    // The transcript grows while the page stays: no reload in between (the marker would be lost).
    await page.evaluate(() => {
      (globalThis as { stillHere?: boolean }).stillHere = true;
    });
    const lines = page.locator("#transcript > li");
    await expect.poll(() => lines.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const first = await lines.count();
    await expect.poll(() => lines.count(), { timeout: 20_000 }).toBeGreaterThan(first);
    expect(await page.evaluate(() => (globalThis as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(await page.locator("#call-status").textContent()).toMatch(/in_progress|ringing|queued/);
    await check("call-live");

    // At the end the page is drawn again with the outcome, the result and the recording.
    await page.locator("#outcome").waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(callUrl);
    expect(await page.locator("#outcome").textContent()).toContain("answered");
    expect(await page.locator("#transcript > li").count()).toBe(LINES.length);
    await expect.poll(() => page.locator("#transcript .tool").textContent()).toContain("check_calendar");
    const fact = page.getByRole("link", { name: "line 4" });
    expect(await fact.getAttribute("href")).toBe("#line-3");
    expect(await page.locator("#line-3").textContent()).toContain("nine to noon");
    expect(await page.getByText("420 ms").count()).toBe(1);
    expect(await page.locator("[data-time-left]").textContent()).toMatch(/left/);
    await check("call-final");

    // The recording plays: play() resolves and its time moves.
    const played = await page.locator("audio").evaluate(async (element) => {
      const audio = element as unknown as AudioLike;
      await audio.play();
      await new Promise((r) => setTimeout(r, 1_000));
      return { time: audio.currentTime, error: audio.error?.message ?? null, duration: audio.duration };
    });
    expect(played.error).toBeNull();
    expect(played.time).toBeGreaterThan(0);

    // The webhook was told of the call, and its page lists the deliveries.
    await receiver.until((rs) => rs.some((r) => r.headers["clawcall-event-type"] === "call.completed"));
    await nav("Webhooks");
    const rows = page.locator("table[aria-labelledby=deliveries] tbody tr");
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByRole("cell", { name: "delivered" }).count();
      })
      .toBeGreaterThanOrEqual(2);
    expect(await rows.filter({ hasText: "call.completed" }).count()).toBe(1);
    expect(await page.getByText(secret).count()).toBe(0);
    await check("webhooks");

    // The calls list shows it, and the usage page the time spent.
    await nav("Calls");
    expect(await page.locator("tbody tr").count()).toBe(1);
    await check("calls");
    await nav("Usage");
    expect(await page.locator("#balance").textContent()).toMatch(/min/);
    await check("usage");
    await nav("Preferences");
    await check("preferences");

    // A key made on the keys page works until it is revoked there.
    await nav("Keys");
    await page.getByRole("button", { name: "Create a key" }).click();
    const key = (await page.locator("#new-key").textContent())!.trim();
    expect((await service.request("GET", "/me", { key })).status).toBe(200);
    await check("keys");
    await page.getByRole("button", { name: `Revoke clawcall_sk_${key.slice(12, 18)}…` }).click();
    await expect.poll(() => page.getByText(/is revoked/).count()).toBe(1);
    const refused = await service.request("GET", "/me", { key });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("invalid_api_key");

    // Sign out: the dashboard sends the browser back to sign in.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/dashboard\/sign-in$/);
    await page.goto(callUrl);
    expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
    expect(policyViolations).toEqual([]);
  });
});
