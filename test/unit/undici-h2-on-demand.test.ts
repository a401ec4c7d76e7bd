/**
 * runners/undici-h2-on-demand.ts: the transport loads undici without its HTTP/2 half (and
 * node:http2), and an h2 connection still gets the real one, loaded when first used.
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http2";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { deferUndiciH2 } from "../../runners/undici-h2-on-demand.ts";

const require = createRequire(import.meta.url);

describe("undici's HTTP/2 client, loaded on demand", () => {
  it("is not loaded, nor node:http2, when the HTTP transport loads", () => {
    const http = new URL("../../runners/http.ts", import.meta.url).href;
    const script = `await import(${JSON.stringify(http)});
const h2 = require("node:module").createRequire(${JSON.stringify(http)}).resolve("undici/lib/dispatcher/client-h2.js");
console.log(JSON.stringify({ http2: process.moduleLoadList.includes("NativeModule http2"), real: require.cache[h2]?.loaded === true && require.cache[h2].children.length > 0 }));`;
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); ${script}`,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(out)).toEqual({ http2: false, real: false });
  });

  it("serves an h2 connection through the real module, loaded on the first one", async () => {
    const path = deferUndiciH2();
    const server = createServer((_request, response) => {
      response.end("over h2");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const Client = require("undici/lib/dispatcher/client.js") as typeof import("undici").Client;
    const client = new Client(`http://127.0.0.1:${port}`, { connect: { useH2c: true } as never });
    try {
      const request = require("undici/lib/api/api-request.js") as typeof client.request;
      const { statusCode, body } = await request.call(client, { path: "/", method: "GET" });
      expect(statusCode).toBe(200);
      expect(await body.text()).toBe("over h2");
      // The real module replaced the stand-in in the cache once it was used.
      expect(require.cache[path]?.children.length).toBeGreaterThan(0);
    } finally {
      await client.close();
      server.close();
    }
  });
});
