import { processIo } from "./io.ts";
import { runCli } from "./program.ts";

process.exitCode = await runCli(process.argv.slice(2), processIo());
// Every command has finished its work here (serve and mcp return only once stopped). A handle some library
// left open must not keep a stopped `clawcall serve` alive: give output a moment to flush, then leave.
setTimeout(() => process.exit(), 2_000).unref();
