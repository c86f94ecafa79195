import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { ApiCaller } from "./api-caller.ts";
import { registerTools } from "./tools.ts";

const INSTRUCTIONS =
  "Place real phone calls (US and Canada, +1) that an AI voice agent conducts for the user. Read get_calling_guide before the first call. Put everything the agent needs in `task`. Lead your answer with the outcome and the number called. Calls are recorded. Never retry no_answer, busy or call_rejected without asking the user.";

/**
 * The MCP SDK's side of one POST to /mcp: a server with the tools acting as the caller's key, and a
 * stateless transport. Its own file so that the SDK (about 25 MB resident) is loaded by the first
 * request to /mcp rather than by every start of the service.
 */
export function mcpSession(
  caller: ApiCaller,
  options: { maxWaitSeconds: number; webhooks: boolean },
): { server: McpServer; transport: StreamableHTTPServerTransport } {
  const server = new McpServer({ name: "clawcall", version: "0.1.0" }, { instructions: INSTRUCTIONS });
  registerTools(server, caller, options);
  return { server, transport: new StreamableHTTPServerTransport({ sessionIdGenerator: undefined }) };
}
