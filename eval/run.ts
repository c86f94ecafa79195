/**
 * `npm run eval`: scores the voice agent on the sandbox. Every scenario is a real call through the
 * service and its voice path to a scripted callee, which reports what it did (its verdict); a scenario's
 * job is done when the callee did what the task needed. The scripted model plays the agent by default;
 * `--model configured` uses whatever model the usual variables configure (OPENAI_*, ANTHROPIC_*), so an
 * operator can score a model or a prompt change before trusting it.
 *
 *   npm run eval                                  all scenarios, scripted model
 *   npm run eval -- --model configured            the configured model
 *   npm run eval -- --only desk-confirm,menu-cancel --json eval.json --concurrency 2
 *   npm run eval -- --poor                        a scripted agent that never states its purpose
 *   npm run eval -- --telnyx                      through the Telnyx adapter and its emulator
 */
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { type FakeOpenAi, startFakeOpenAi } from "../packages/server/test/fakes/index.ts";
import { createScriptedAgent, taskOf } from "../packages/server/test/scenarios/scripted-model.ts";
import { type EvalReport, type EvalRow, formatTable } from "./report.ts";
import { type EvalScenario, jobDone, SCENARIOS } from "./scenarios.ts";
import { directSandbox, throughTelnyxEmulator } from "./targets.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "scripted" },
    poor: { type: "boolean", default: false },
    telnyx: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string" },
    concurrency: { type: "string", default: "4" },
  },
});

const concurrency = Math.max(1, Number(values.concurrency) || 4);
const chosen = values.only ? new Set(values.only.split(",")) : null;
const scenarios = SCENARIOS.filter((s) => chosen === null || chosen.has(s.id));
if (scenarios.length === 0) throw new Error(`no scenario matches --only ${values.only}`);
const configured = values.model === "configured";
if (!configured && values.model !== "scripted") throw new Error("--model is scripted or configured");

let llm: FakeOpenAi | null = null;
if (!configured) {
  llm = await startFakeOpenAi();
  llm.chat.setDefault(createScriptedAgent(values.poor ? { hidesPurpose: true } : {}));
}
// The model's own settings come from the environment only when asked for; everything else is fixed, so
// runs compare.
const modelEnv = configured
  ? Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => /^(OPENAI|ANTHROPIC|CLAWCALL_LLM)_/.test(e[0]) && e[1] !== undefined,
      ),
    )
  : { OPENAI_API_KEY: "sk-eval", OPENAI_BASE_URL: llm!.url };
const target = values.telnyx ? await throughTelnyxEmulator(modelEnv) : await directSandbox(modelEnv);
const modelName = configured
  ? "the configured model"
  : values.poor
    ? "a poor scripted agent"
    : "the scripted model";

async function api(method: string, url: string, key?: string, body?: unknown) {
  const res = await fetch(target.url + url, {
    method,
    headers: {
      ...(key ? { "x-api-key": key } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the call view as parsed JSON, read field by field
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** Places a scenario's call and waits for it to be final (a few minutes at most). */
async function run(scenario: EvalScenario): Promise<EvalRow> {
  const row: EvalRow = {
    id: scenario.id,
    line: scenario.bridge ? `${scenario.line}>${scenario.bridge}` : scenario.line,
    jobDone: false,
    status: "not placed",
    turns: null,
    modelCalls: null,
    talkSeconds: null,
    turnP50Ms: null,
    turnP95Ms: null,
    bargeIns: null,
    verdict: null,
  };
  try {
    const created = await api("POST", "/call", undefined, {
      to: `+1212555${scenario.line}`,
      task: scenario.task,
      ...(scenario.bridge ? { bridge_number: `+1312555${scenario.bridge}` } : {}),
    });
    if (created.status !== 201) throw new Error(`POST /call answered ${created.status}`);
    const { call_id: id, api_key: key } = created.body;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { body: call } = await api("GET", `/call/${id}`, key);
      row.status = call.status;
      if (call.status === "completed" || call.status === "failed") {
        const latency = call._meta?.latency;
        row.verdict = await target.verdictOf(id, call);
        row.jobDone = jobDone(scenario, row.verdict ?? undefined);
        row.turns = latency?.turns ?? null;
        row.talkSeconds = call.talk_seconds;
        row.turnP50Ms = latency?.turn_p50_ms ?? null;
        row.turnP95Ms = latency?.turn_p95_ms ?? null;
        row.bargeIns = latency?.barge_ins ?? null;
        row.modelCalls = llm
          ? llm.chat.requests.filter((r) => taskOf(r.system) === scenario.task).length
          : null;
        return row;
      }
      if (Date.now() > deadline) throw new Error(`still ${call.status} after five minutes`);
      await sleep(250);
    }
  } catch (error) {
    row.error = error instanceof Error ? error.message : String(error);
    return row;
  }
}

console.log(`Evaluating ${scenarios.length} scenarios with ${modelName}, ${concurrency} calls at a time…`);
const rows: EvalRow[] = new Array(scenarios.length);
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, scenarios.length) }, async () => {
    for (let i = next++; i < scenarios.length; i = next++) {
      rows[i] = await run(scenarios[i]!);
      console.log(`  ${rows[i]!.jobDone ? "done" : "NOT done"}  ${rows[i]!.id}`);
    }
  }),
);
const jobsDone = rows.filter((r) => r.jobDone).length;
const report: EvalReport = {
  model: modelName,
  carrier: target.carrier,
  scenarios: rows.length,
  jobsDone,
  score: jobsDone / rows.length,
  rows,
};
console.log(`\n${formatTable(report)}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
await target.close();
await llm?.close();
process.exitCode = jobsDone === rows.length ? 0 : 1;
