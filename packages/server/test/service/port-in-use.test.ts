import { expect, it } from "vitest";
import { ConfigError } from "../../src/config/config.ts";
import { startTestService } from "../helpers/service.ts";

it("a port in use stops the start with one line naming PORT, and leaves the running service alone", async () => {
  const first = await startTestService();
  const port = new URL(first.url).port;
  try {
    const second = startTestService({ PORT: port });
    await expect(second).rejects.toBeInstanceOf(ConfigError);
    await expect(second).rejects.toThrow(`PORT: ${port} on 127.0.0.1 is already in use`);
    expect((await first.request("GET", "/healthz")).status).toBe(200);
  } finally {
    await first.dispose();
  }
});
