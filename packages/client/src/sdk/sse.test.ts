import { describe, expect, it } from "vitest";
import { parseSse } from "./sse.ts";

async function* chunks(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}

async function collect(...parts: string[]) {
  const out = [];
  for await (const m of parseSse(chunks(...parts))) out.push(m);
  return out;
}

describe("parseSse", () => {
  it("joins messages split across chunks, with named events, comments and CRLF", async () => {
    expect(
      await collect(": keep-alive\n\nevent: sta", 'tus\r\ndata: {"a":', "1}\r\n\r\ndata: x\ndata: y\n\n"),
    ).toEqual([
      { event: "status", data: '{"a":1}' },
      { event: "message", data: "x\ny" },
    ]);
  });

  it("drops a trailing message that never ended", async () => {
    expect(await collect("data: complete\n\ndata: cut off")).toEqual([
      { event: "message", data: "complete" },
    ]);
  });
});
