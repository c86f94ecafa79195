import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "./sender.ts";

describe("sending one webhook attempt", () => {
  const seen: { host: string | undefined; path: string | undefined; body: string }[] = [];
  let port: number;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ host: req.headers.host, path: req.url, body });
      const path = (req.url ?? "").split("?")[0];
      if (path === "/stall") {
        // Says 200, then never finishes its body.
        res.writeHead(200);
        res.write("partial");
        return;
      }
      if (path === "/moved") res.writeHead(301, { location: "/elsewhere" }).end();
      else res.writeHead(204).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const target = (path: string) => ({
    // A name that resolves nowhere: the attempt goes to the address that was checked, never to DNS.
    url: new URL(`http://hooks.invalid:${port}${path}?a=1`),
    address: "127.0.0.1",
    family: 4 as const,
  });

  it("connects to the checked address, naming the URL's host", async () => {
    expect(await send(target("/ok"), { "x-test": "1" }, '{"a":1}')).toEqual({ status: 204 });
    expect(seen.at(-1)).toEqual({ host: `hooks.invalid:${port}`, path: "/ok?a=1", body: '{"a":1}' });
  });

  it("takes the status line as the answer, even when the body never ends", async () => {
    expect(await send(target("/stall"), {}, "{}")).toEqual({ status: 200 });
  });

  it("does not follow a redirect", async () => {
    expect(await send(target("/moved"), {}, "{}")).toEqual({ status: 301 });
    expect(seen.some((s) => s.path === "/elsewhere")).toBe(false);
  });

  it("reports a refused connection as an error", async () => {
    const closed = { url: new URL("http://hooks.invalid:9/"), address: "127.0.0.1", family: 4 as const };
    const outcome = await send(closed, {}, "{}");
    expect(outcome).toEqual({ error: "could not be reached (ECONNREFUSED)" });
  });
});
