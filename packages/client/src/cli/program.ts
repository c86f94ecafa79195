import { Command, CommanderError, Option } from "commander";
import { ClawCall } from "../sdk/client.ts";
import { ClawCallError } from "../sdk/errors.ts";
import { registerCallCommands } from "./call-commands.ts";
import { EXIT, EXIT_CODE_HELP, exitCodeForError } from "./exit-codes.ts";
import { formatError } from "./format.ts";
import type { CliIo } from "./io.ts";
import { registerKeyCommands } from "./key-commands.ts";
import { registerServiceCommands } from "./service-commands.ts";

export interface GlobalOptions {
  baseUrl?: string;
  apiKey?: string;
  json?: boolean;
  timeout?: number;
}

/** Shared by every command: builds the SDK client and prints results and errors the same way. */
export class CliContext {
  exitCode: number = EXIT.ok;
  constructor(readonly io: CliIo) {}

  client(opts: GlobalOptions): ClawCall {
    return new ClawCall({
      env: this.io.env,
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
      ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}),
    });
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  fail(error: unknown, opts: GlobalOptions): void {
    this.exitCode = exitCodeForError(error);
    if (error instanceof ClawCallError) {
      if (opts.json) this.json({ error: error.toJSON() });
      else this.err(formatError(error));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (opts.json) this.json({ error: { code: "unexpected", message } });
    else this.err(`Error: ${message}`);
  }
}

const EXAMPLES = `
Examples:
  $ clawcall call --to +12125550100 --task "Confirm Jordan Lee's appointment on Tuesday at 2:30 PM." --wait
  $ clawcall call --to +12125550100 --task-file briefing.txt --personality "Alex, Jordan's assistant" --wait
  $ clawcall status 6f1c... --wait        follow a call placed earlier
  $ clawcall calls --limit 5 --json       the latest calls, for scripts
  $ clawcall balance
  $ clawcall link                         sign-up / sign-in links for the saved key
  $ CLAWCALL_BASE_URL=http://127.0.0.1:8787 clawcall serve

Environment:
  CLAWCALL_BASE_URL   the service (default http://127.0.0.1:8787)
  CLAWCALL_API_KEY    overrides the saved key (never forgotten or overwritten by the CLI)
  XDG_CONFIG_HOME     the key lives in $XDG_CONFIG_HOME/clawcall/key.json (default ~/.config/clawcall/key.json)

${EXIT_CODE_HELP}
`;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("clawcall")
    .description("Make real phone calls through ClawCall: an AI voice agent dials, talks and reports back.")
    .version("0.1.0")
    .addOption(
      new Option("--base-url <url>", "service URL (default: $CLAWCALL_BASE_URL or http://127.0.0.1:8787)"),
    )
    .addOption(
      new Option("--api-key <key>", "API key for this run (default: $CLAWCALL_API_KEY, then the key file)"),
    )
    .option("--json", "print machine-readable JSON on stdout")
    .addOption(
      new Option("--timeout <seconds>", "per-request timeout").argParser((v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0)
          throw new CommanderError(EXIT.usage, "clawcall.badTimeout", "bad --timeout");
        return n;
      }),
    )
    .showHelpAfterError()
    .addHelpText("after", EXAMPLES)
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride();

  registerCallCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerServiceCommands(program, ctx);
  // Global flags work before or after the command name (`clawcall --json balance`, `clawcall balance --json`).
  const wire = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({
        writeOut: (s) => ctx.io.stdout.write(s),
        writeErr: (s) => ctx.io.stderr.write(s),
      });
      wire(sub);
    }
  };
  wire(program);
  return program;
}

/** Runs the CLI and resolves with the exit code (the caller exits with it). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    ctx.fail(e, program.opts<GlobalOptions>());
  }
  return ctx.exitCode;
}
