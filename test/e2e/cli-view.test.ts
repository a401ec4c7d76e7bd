/**
 * `opbench view` as a user meets it: a run directory without a report gets one and is served at
 * the printed address on 127.0.0.1; files outside the folder (by `..`, encoded, or through a
 * link) are never served; with no display it says to open the address itself; Ctrl-C stops it;
 * a folder that is neither a run nor a site is refused.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileFor } from "../../src/cli/view-command.ts";
import { BIN, runCli } from "../helpers/cli.ts";
import { call, start } from "../helpers/summary-log.ts";

/** GET `path` raw (no URL normalisation by the client, so `..` reaches the server as sent). */
function get(url: string, path: string): Promise<{ status: number; body: string; type: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body, type: String(res.headers["content-type"]) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("opbench view", () => {
  it("writes a missing report, serves it on 127.0.0.1, nothing outside the folder, and stops on Ctrl-C", async () => {
    const root = mkdtempSync(join(tmpdir(), "opbench-view-"));
    const runDir = join(root, "run");
    mkdirSync(runDir);
    writeFileSync(join(root, "secret.txt"), "outside");
    writeFileSync(
      join(runDir, "events.jsonl"),
      `${[start, call("local", 0), call("api", 0)].map((e) => JSON.stringify(e)).join("\n")}\n`,
    );
    symlinkSync(join(root, "secret.txt"), join(runDir, "link.txt"));
    const child = spawn(process.execPath, [BIN, "view", runDir, "--port", "0"], {
      env: { ...process.env, DISPLAY: "", WAYLAND_DISPLAY: "", CI: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/http:\/\/127\.0\.0\.1:\d+\/\n/.test(stdout) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = stdout.trim();
    expect(url, stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(existsSync(join(runDir, "report.html"))).toBe(true);
    expect(stderr).toContain(`No display here: open ${url} in a browser`);
    const page = await get(url, "/");
    expect(page.status).toBe(200);
    expect(page.type).toBe("text/html; charset=utf-8");
    expect(page.body).toContain("<title>opbench report: s</title>");
    expect((await get(url, "/events.jsonl")).status).toBe(200);
    for (const path of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/link.txt",
      "/nope.html",
    ]) {
      const res = await get(url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain("outside");
    }
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toContain("Stopped.");
  });

  it("refuses a folder that is neither a run nor a site, and a missing one", async () => {
    const empty = mkdtempSync(join(tmpdir(), "opbench-view-empty-"));
    const result = await runCli(["view", empty, "--no-open"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "has neither events.jsonl (a run) nor index.html (a site): nothing to show",
    );
    const missing = await runCli(["view", join(empty, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("is not a directory");
  });

  it("maps request paths to files inside the folder only", () => {
    const root = mkdtempSync(join(tmpdir(), "opbench-view-map-"));
    mkdirSync(join(root, "sub"));
    writeFileSync(join(root, "index.html"), "i");
    writeFileSync(join(root, "sub", "index.html"), "s");
    expect(fileFor(root, "/", "index.html")).toBe(join(root, "index.html"));
    expect(fileFor(root, "/sub", "index.html")).toBe(join(root, "sub", "index.html"));
    expect(fileFor(root, "/index.html?x=1#y", "index.html")).toBe(join(root, "index.html"));
    expect(fileFor(root, "/%E0%A4%A", "index.html")).toBeNull();
    expect(fileFor(root, "/a%00b", "index.html")).toBeNull();
    expect(fileFor(root, "/../../etc/passwd", "index.html")).toBeNull();
  });
});
