import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { echoesKey } from "./key-echo.ts";

const request = (method: string, contentType?: string) =>
  ({ method, headers: contentType === undefined ? {} : { "content-type": contentType } }) as FastifyRequest;

describe("echoesKey", () => {
  it("leaves the key out only of a GET that declares a JSON body", () => {
    expect(echoesKey(request("GET", "application/json"))).toBe(false);
    expect(echoesKey(request("GET", "Application/JSON; charset=utf-8"))).toBe(false);
  });

  it("keeps it for a GET without a JSON type, and for every other method", () => {
    expect(echoesKey(request("GET"))).toBe(true);
    expect(echoesKey(request("GET", "text/plain"))).toBe(true);
    expect(echoesKey(request("GET", "application/json-seq"))).toBe(true);
    expect(echoesKey(request("POST", "application/json"))).toBe(true);
  });
});
