import type { Command } from "commander";
import type { CliContext, GlobalOptions } from "./program.ts";

interface StartedService {
  url: string;
  /** Start-up banner: what is active, what is missing for real calls. */
  describe?(): string[];
  close(): Promise<void>;
}

export function registerServiceCommands(program: Command, ctx: CliContext): void {
  program
    .command("link")
    .description("sign-up and sign-in links that attach your key (and its minutes) to an account")
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      try {
        const client = ctx.client(flags);
        const links = await client.accountLinks();
        // Best effort: say whether the key is already linked; the links are useful even when offline.
        const me = await client.me().catch(() => null);
        if (flags.json) {
          ctx.json({ ...links, linked: me !== null, ...(me ? { email: me.email } : {}) });
          return;
        }
        if (me) ctx.out(`This key is linked to ${me.email}.`);
        ctx.out(`No account yet? Sign up: ${links.sign_up_url}`);
        ctx.out(`Have one? Sign in:        ${links.sign_in_url}`);
        ctx.out("Either page links this key; its minutes then come from the account.");
      } catch (e) {
        ctx.fail(e, flags);
      }
    });

  program
    .command("serve")
    .description(
      "run the ClawCall service here (configured by environment variables; sandbox without carrier keys)",
    )
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      try {
        // Loaded only here, so the CLI works for plain client use without the server package installed.
        const serverModule = "@clawcall/server";
        const { startService } = (await import(serverModule).catch((e: { code?: string }) => {
          if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
          throw new Error("`clawcall serve` needs the @clawcall/server package next to the client.");
        })) as {
          startService(options: { env: Record<string, string | undefined> }): Promise<StartedService>;
        };
        const service = await startService({ env: ctx.io.env });
        if (flags.json) ctx.json({ url: service.url });
        else {
          ctx.err(`ClawCall is listening on ${service.url} (Ctrl-C to stop).`);
          for (const line of service.describe?.() ?? []) ctx.err(`  ${line}`);
        }
        await ctx.io.interrupted();
        await service.close();
      } catch (e) {
        ctx.fail(e, flags);
      }
    });

  program
    .command("admin")
    .description("operator commands on this machine's service database: create-account, grant, balance")
    .argument("[args...]", "the admin command and its options (clawcall admin help)")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[], _opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      try {
        const serverModule = "@clawcall/server";
        const { runAdmin } = (await import(serverModule).catch((e: { code?: string }) => {
          if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
          throw new Error("`clawcall admin` needs the @clawcall/server package next to the client.");
        })) as {
          runAdmin(
            argv: string[],
            env: Record<string, string | undefined>,
            print: (line: string) => void,
          ): Promise<number>;
        };
        ctx.exitCode = await runAdmin(args, ctx.io.env, (line) => ctx.out(line));
      } catch (e) {
        ctx.fail(e, flags);
      }
    });

  program
    .command("mcp")
    .description("run the MCP server on stdio (tools to place, follow and report calls)")
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      const { runStdioServer } = await import("../mcp/stdio.ts");
      await runStdioServer(ctx.client(flags), ctx.io);
    });
}
