import { API_KEY_PREFIX } from "@clawcall/contract";
import type { Command } from "commander";
import { ClawCallError } from "../sdk/errors.ts";
import { KeyStore } from "../sdk/key-store.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliContext, GlobalOptions } from "./program.ts";

export function registerKeyCommands(program: Command, ctx: CliContext): void {
  const key = program
    .command("key")
    .description("the API key: show it, save one, or forget the saved one")
    .addHelpText(
      "after",
      `
The key is kept in $XDG_CONFIG_HOME/clawcall/key.json (default ~/.config/clawcall/key.json, mode 0600),
the same file the hosted service's skill uses. CLAWCALL_API_KEY overrides it for one environment.`,
    );

  key
    .command("show")
    .description("print the key in use and where it comes from")
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      const client = ctx.client(flags);
      const current = await client.apiKey();
      const path = client.keyStore?.path ?? null;
      if (flags.json) {
        ctx.json({ api_key: current?.key ?? null, source: current?.source ?? null, path });
      } else if (!current) {
        ctx.out("No API key yet: the first call mints one and saves it.");
        if (path) ctx.out(`Key file: ${path}`);
        ctx.exitCode = EXIT.auth;
      } else {
        ctx.out(current.key);
        const from = { option: "--api-key", env: "CLAWCALL_API_KEY", file: path, minted: path }[
          current.source
        ];
        ctx.err(`(from ${from})`);
      }
      if (!current && flags.json) ctx.exitCode = EXIT.auth;
    });

  key
    .command("set")
    .description("save a key (e.g. one from another machine) to the key file")
    .argument("<api-key>")
    .action(async (apiKey: string, _opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      const value = apiKey.trim();
      if (!value.startsWith(API_KEY_PREFIX)) {
        ctx.fail(
          new ClawCallError({
            code: "invalid_request",
            message: `A ClawCall key starts with ${API_KEY_PREFIX}.`,
          }),
          flags,
        );
        return;
      }
      const store = new KeyStore({ env: ctx.io.env });
      await store.save(value);
      if (flags.json) ctx.json({ saved: true, path: store.path });
      else ctx.out(`Saved the key to ${store.path}.`);
      if (ctx.io.env.CLAWCALL_API_KEY?.trim()) ctx.err("Note: CLAWCALL_API_KEY is set and takes precedence.");
    });

  key
    .command("forget")
    .description("delete the saved key (the next call mints a new one)")
    .action(async (_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      const store = new KeyStore({ env: ctx.io.env });
      const had = await store.forget();
      if (flags.json) ctx.json({ forgotten: had, path: store.path });
      else ctx.out(had ? `Forgot the key saved in ${store.path}.` : "No saved key to forget.");
      if (ctx.io.env.CLAWCALL_API_KEY?.trim()) ctx.err("Note: CLAWCALL_API_KEY is still set and still used.");
    });

  key
    .command("path")
    .description("print where the key file is")
    .action((_opts, command: Command) => {
      const flags = command.optsWithGlobals<GlobalOptions>();
      const path = new KeyStore({ env: ctx.io.env }).path;
      if (flags.json) ctx.json({ path });
      else ctx.out(path);
    });
}
