import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CliIo } from "../cli/io.ts";
import type { ClawCall } from "../sdk/client.ts";
import { createMcpServer } from "./server.ts";

/** Serves the tools on stdin/stdout until the client closes the pipe; stdout carries protocol only. */
export async function runStdioServer(client: ClawCall, io: CliIo): Promise<void> {
  const server = createMcpServer(client, { now: io.now });
  const transport = new StdioServerTransport(io.stdin, io.stdout);
  await server.connect(transport);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    io.stdin.once("end", () => resolve());
  });
  await Promise.race([closed, io.interrupted()]);
  await server.close();
}
