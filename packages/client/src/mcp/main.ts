// The `clawcall-mcp` command of the `@clawcall/mcp` package: the same server as `clawcall mcp`, configured
// only by the environment an MCP host passes (CLAWCALL_BASE_URL, CLAWCALL_API_KEY, the key file).
import { processIo } from "../cli/io.ts";
import { ClawCall } from "../sdk/client.ts";
import { runStdioServer } from "./stdio.ts";

const USAGE = `Usage: clawcall-mcp

Serves ClawCall's MCP tools on stdin/stdout; an MCP host starts it, for example:
  {"mcpServers": {"clawcall": {"command": "npx", "args": ["-y", "@clawcall/mcp"],
                               "env": {"CLAWCALL_BASE_URL": "http://127.0.0.1:8787"}}}}

Environment:
  CLAWCALL_BASE_URL   the service (default http://127.0.0.1:8787)
  CLAWCALL_API_KEY    overrides the saved key
  XDG_CONFIG_HOME     the key lives in $XDG_CONFIG_HOME/clawcall/key.json (default ~/.config/clawcall/key.json)
`;

const io = processIo();
if (process.argv.includes("--help") || process.argv.includes("-h")) io.stdout.write(USAGE);
else {
  // Started by hand in a terminal, it would sit silently waiting for a protocol that never comes.
  if (io.stdin.isTTY)
    io.stderr.write("clawcall-mcp speaks MCP on stdio; run it from an MCP host (--help).\n");
  await runStdioServer(new ClawCall({ env: io.env }), io);
}
// A handle some library left open must not keep a closed server alive: let output flush, then leave.
setTimeout(() => process.exit(), 2_000).unref();
