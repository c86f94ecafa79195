import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { type CallRequest, type CallView, VOICES } from "@clawcall/contract";
import { type Command, Option } from "commander";
import type { StatusChange } from "../sdk/wait.ts";
import { checkLocalTime } from "./business-hours.ts";
import { EXIT, exitCodeForCall } from "./exit-codes.ts";
import { formatBalance, formatCallReport, formatCallRow, formatTranscriptLine } from "./format.ts";
import { normalizePhone, withoutKey } from "./io.ts";
import type { CliContext, GlobalOptions } from "./program.ts";
import { createProgress, type Progress } from "./progress.ts";

interface CallFlags extends GlobalOptions {
  to: string;
  task?: string;
  taskFile?: string;
  personality?: string;
  greeting?: string;
  voice?: (typeof VOICES)[number];
  bridgeNumber?: string;
  wait?: boolean;
  poll?: boolean;
  yes?: boolean;
}

const describeStatus = (c: StatusChange) =>
  c.status === "failed" ? `failed (${c.failReason ?? "unknown"})` : c.status.replace("_", " ");

async function readTask(flags: CallFlags, ctx: CliContext): Promise<string | undefined> {
  if (flags.taskFile === undefined) return flags.task;
  if (flags.taskFile !== "-") return readFile(flags.taskFile, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Follows a call to its end, showing status and transcript lines; Ctrl-C stops watching, not the call. */
async function follow(
  ctx: CliContext,
  flags: GlobalOptions & { poll?: boolean },
  run: (signal: AbortSignal, progress: Progress) => Promise<{ call: CallView; retried?: CallView[] }>,
): Promise<{ call: CallView; retried?: CallView[] } | null> {
  const progress = createProgress(ctx.io.stderr, !flags.json);
  const abort = new AbortController();
  const stop = ctx.io.interrupted().then(() => abort.abort(new Error("interrupted")));
  void stop;
  try {
    return await run(abort.signal, progress);
  } catch (e) {
    if (abort.signal.aborted) return null;
    throw e;
  } finally {
    progress.stop();
  }
}

function report(ctx: CliContext, flags: GlobalOptions, call: CallView, retried: CallView[] = []): void {
  if (flags.json) ctx.json(withoutKey({ call, retried }));
  else ctx.out(formatCallReport(call, { retried }));
  ctx.exitCode = exitCodeForCall(call);
}

async function placeCall(ctx: CliContext, flags: CallFlags): Promise<void> {
  const client = ctx.client(flags);
  const task = await readTask(flags, ctx);
  const request: CallRequest = {
    to: normalizePhone(flags.to),
    task: task ?? "",
    ...(flags.personality ? { personality: flags.personality } : {}),
    ...(flags.greeting ? { greeting: flags.greeting } : {}),
    ...(flags.voice ? { voice: flags.voice } : {}),
    ...(flags.bridgeNumber ? { bridge_number: normalizePhone(flags.bridgeNumber) } : {}),
  };

  const local = checkLocalTime(request.to, ctx.io.now());
  if (local?.warning) {
    ctx.err(`Warning: ${local.warning}`);
    if (!flags.yes && !flags.json && ctx.io.stdin.isTTY && ctx.io.stderr.isTTY) {
      if (!(await confirm(ctx, "Call anyway? [y/N] "))) {
        ctx.err("Not calling.");
        ctx.exitCode = EXIT.declined;
        return;
      }
    }
  }

  if (!flags.wait) {
    const created = await client.placeCall(request);
    if (flags.json)
      ctx.json(withoutKey({ ...created, to: request.to, ...(local ? { local_time: local } : {}) }));
    else {
      ctx.out(`Call placed to ${request.to}: ${created.call_id} (${created.status}).`);
      ctx.out(`Follow it with: clawcall status ${created.call_id} --wait`);
    }
    return;
  }

  let callId = "";
  const result = await follow(ctx, flags, (signal, progress) =>
    client.callAndWait(request, {
      signal,
      follow: flags.poll ? "poll" : "events",
      onPlaced: (created, attempt) => {
        callId = created.call_id;
        progress.status(
          `${attempt > 1 ? "Calling again" : "Calling"} ${request.to} (call ${created.call_id})`,
        );
      },
      onStatus: (change) => progress.status(`${request.to}: ${describeStatus(change)}`),
      onTranscript: (entry) => progress.line(formatTranscriptLine(entry)),
      onRetry: (failed) => progress.status(`${failed.failReason}: trying once more`),
    }),
  );
  if (!result) {
    ctx.err(`Stopped watching; the call goes on. Follow it: clawcall status ${callId} --wait`);
    ctx.err(`Hang up: clawcall hangup ${callId}`);
    ctx.exitCode = EXIT.interrupted;
    return;
  }
  report(ctx, flags, result.call, result.retried);
}

export function registerCallCommands(program: Command, ctx: CliContext): void {
  program
    .command("call")
    .description("place a phone call; with --wait, follow it and print the outcome and transcript")
    .requiredOption("--to <number>", "number to call, +1XXXXXXXXXX (US and Canada)")
    .option("--task <text>", "the agent's whole briefing: who, what, and what to do if things go wrong")
    .option("--task-file <path>", "read the task from a file ('-' for stdin)")
    .option("--personality <text>", 'who the agent is, e.g. "Alex, Jordan Lee\'s assistant"')
    .option("--greeting <text>", "the opening line's intent")
    .addOption(new Option("--voice <voice>", "the agent's voice").choices(VOICES))
    .option("--bridge-number <number>", "the user's own number, to be connected in live")
    .option("--wait", "follow the call to its end and print the report")
    .option("--poll", "with --wait: poll every 3 s instead of following the event stream")
    .option("-y, --yes", "call even outside the callee's business hours without asking")
    .addHelpText(
      "after",
      `
Examples:
  $ clawcall call --to +12125550100 --task "Call Dr. Rivera's office. Confirm Jordan Lee's appointment for Tuesday at 2:30 PM. If they need to reschedule, Wednesday or Thursday afternoon works." --personality "Alex, Jordan Lee's assistant" --wait
  $ clawcall call --to +12125550109 --task "Reach billing and ask when the next invoice is due." --bridge-number +12125550112 --wait --json`,
    )
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<CallFlags>();
      try {
        await placeCall(ctx, flags);
      } catch (e) {
        ctx.fail(e, flags);
      }
    });

  program
    .command("status")
    .description("show a call's status and result; --wait follows it to the end")
    .argument("<call-id>")
    .option("--wait", "follow the call until it is completed or failed")
    .option("--poll", "with --wait: poll every 3 s instead of following the event stream")
    .action(async (callId: string, _opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions & { wait?: boolean; poll?: boolean }>();
      try {
        const client = ctx.client(flags);
        if (!flags.wait) return report(ctx, flags, await client.getCall(callId));
        const result = await follow(ctx, flags, async (signal, progress) => ({
          call: await client.waitForCall(callId, {
            signal,
            follow: flags.poll ? "poll" : "events",
            onStatus: (change) => progress.status(`${callId}: ${describeStatus(change)}`),
            onTranscript: (entry) => progress.line(formatTranscriptLine(entry)),
          }),
        }));
        if (result) report(ctx, flags, result.call);
        else ctx.exitCode = EXIT.interrupted;
      } catch (e) {
        ctx.fail(e, flags);
      }
    });

  program
    .command("hangup")
    .description("end a call in progress, or cancel one still ringing (safe to repeat)")
    .argument("<call-id>")
    .action(async (callId: string, _opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      try {
        const result = await ctx.client(flags).hangup(callId);
        if (flags.json) ctx.json(withoutKey(result));
        else
          ctx.out(`Call ${result.call_id}: ${result.message.replace(/\.$/, "")} (status ${result.status}).`);
      } catch (e) {
        ctx.fail(e, flags);
      }
    });

  program
    .command("calls")
    .description("list your calls, newest first")
    .option("--limit <n>", "how many calls", (v) => Number.parseInt(v, 10), 20)
    .option("--before <call-id>", "start after this call (pagination)")
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions & { limit: number; before?: string }>();
      try {
        const client = ctx.client(flags);
        const limit = Number.isFinite(flags.limit) && flags.limit > 0 ? flags.limit : 20;
        const calls: CallView[] = [];
        for await (const call of client.calls({
          pageSize: Math.min(limit, 100),
          ...(flags.before ? { before: flags.before } : {}),
        })) {
          calls.push(call);
          if (calls.length >= limit) break;
        }
        if (flags.json) ctx.json(withoutKey({ calls }));
        else if (calls.length === 0) ctx.out("No calls yet.");
        else for (const call of calls) ctx.out(formatCallRow(call));
      } catch (e) {
        ctx.fail(e, flags);
      }
    });

  program
    .command("balance")
    .description("show the call time left on your key (or its account)")
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      try {
        const balance = await ctx.client(flags).balance();
        if (flags.json) ctx.json(withoutKey(balance));
        else ctx.out(formatBalance(balance));
      } catch (e) {
        ctx.fail(e, flags);
      }
    });
}
