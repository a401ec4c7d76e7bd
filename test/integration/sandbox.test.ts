import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { networkNamespacePrefix } from "../../src/sandbox/isolation.ts";
import { runInSandbox } from "../../src/sandbox/sandbox.ts";

const job = fileURLToPath(new URL("../fixtures/sandbox-jobs/job.ts", import.meta.url));
const limits = { wallMs: 5000, cpuMs: 3000, memoryMb: 256 };

describe("sandbox", () => {
  it("returns the job's result and messages, writes only in its temp dir, and removes the dir", async () => {
    const result = await runInSandbox({ job, input: { kind: "write-temp" }, limits });
    expect(result.ok).toBe(true);
    const { dir, cwd } = (result as { value: { dir: string; cwd: string } }).value;
    expect(cwd).toBe(dir);
    expect(result.progress).toEqual([{ wrote: dir }]);
    expect(existsSync(dir)).toBe(false);
  });

  it("passes the input through as JSON", async () => {
    const result = await runInSandbox({ job, input: { kind: "echo", text: "héllo ✓" }, limits });
    expect(result).toEqual({ ok: true, value: { echo: { kind: "echo", text: "héllo ✓" } }, progress: [] });
  });

  it("kills a job past its wall-clock limit", async () => {
    const result = await runInSandbox({ job, input: { kind: "sleep" }, limits: { ...limits, wallMs: 1500 } });
    expect(result).toEqual({
      ok: false,
      kind: "timeout",
      reason: "wall-clock limit 1500 ms reached",
      progress: [],
    });
  });

  it("reports a crash, a thrown error and a flood of output", async () => {
    expect(await runInSandbox({ job, input: { kind: "signal" }, limits })).toMatchObject({
      ok: false,
      kind: "crash",
      reason: "killed by SIGKILL",
    });
    expect(await runInSandbox({ job, input: { kind: "throw" }, limits })).toMatchObject({
      ok: false,
      kind: "error",
      reason: "RangeError: job failed",
    });
    expect(await runInSandbox({ job, input: { kind: "print" }, limits })).toMatchObject({
      ok: false,
      kind: "output",
    });
  });

  it("starts processes without a network where the host allows a network namespace", async () => {
    const prefix = networkNamespacePrefix();
    if (prefix === null) return; // No namespaces here: the in-process lock is the only layer (tested with code_tests).
    const server = createServer((socket) => socket.end()).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as { port: number };
    const probe = `require("node:net").connect(${port}, "127.0.0.1").on("connect", () => { console.log("connected"); process.exit(); }).on("error", (e) => console.log(e.code))`;
    const run = (command: string[]) =>
      spawnSync(command[0]!, [...command.slice(1), "-e", probe], {
        encoding: "utf8",
        timeout: 10_000,
      }).stdout.trim();
    expect(run([process.execPath])).toBe("connected");
    expect(["ENETUNREACH", "ECONNREFUSED"]).toContain(run([...prefix, process.execPath]));
    server.close();
  });
});
