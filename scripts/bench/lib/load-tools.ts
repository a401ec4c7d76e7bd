/**
 * The HTTP load tools the load benchmark compares with: autocannon (npm, installed with
 * `npm install --prefix <tmpdir>/…` at bench time, never a dependency of opbench) and wrk
 * (Debian's package, installed with apt-get when missing and running as root). Smoke runs
 * install nothing: they use a tool only when it is already there.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runNodeMeasured } from "./child.ts";
import type { BenchContext } from "./context.ts";

/** The autocannon release measured (pinned so results can be compared over time). */
export const AUTOCANNON_VERSION = "8.0.0";

export interface ExternalTools {
  /** autocannon's CLI script, run with the benchmark's Node. */
  autocannon: string | null;
  /** The wrk binary. */
  wrk: string | null;
  skipped: { tool: string; reason: string }[];
}

/** What a tool's step measured about itself. */
export interface ToolRun {
  /** Requests the tool reports as completed with a 2xx; null when it does not say. */
  count: number | null;
  /** The tool's own measured window, s; null to use the asked duration. */
  windowS: number | null;
  dispatchDelayP99Ms?: number | null;
  /** Unmeasured requests sent before the measured window (in `count` and the server's count). */
  warmup?: number;
  cpuMs: number | null;
  peakRssMb: number | null;
  note?: string;
}

async function exec(command: string, args: string[]): Promise<{ code: number | null; text: string }> {
  return await new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    const keep = (part: Buffer) => {
      text = (text + part.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", (error) => resolve({ code: null, text: error.message }));
    child.once("close", (code) => resolve({ code, text }));
  });
}

async function which(name: string): Promise<string | null> {
  const found = await exec("sh", ["-c", `command -v ${name}`]);
  return found.code === 0 ? found.text.trim() : null;
}

export async function findOrInstallTools(ctx: BenchContext): Promise<ExternalTools> {
  const skipped: ExternalTools["skipped"] = [];
  const dir = join(tmpdir(), `opbench-bench-autocannon-${AUTOCANNON_VERSION}`);
  let autocannon: string | null = join(dir, "node_modules", "autocannon", "autocannon.js");
  if (!existsSync(autocannon)) {
    if (ctx.smoke) {
      skipped.push({ tool: "autocannon", reason: "smoke run: nothing is installed" });
      autocannon = null;
    } else {
      ctx.log(`load: npm install --prefix ${dir} autocannon@${AUTOCANNON_VERSION}`);
      mkdirSync(dir, { recursive: true });
      const npm = await exec("npm", [
        "install",
        "--prefix",
        dir,
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `autocannon@${AUTOCANNON_VERSION}`,
      ]);
      if (npm.code !== 0 || !existsSync(autocannon)) {
        skipped.push({
          tool: "autocannon",
          reason: `npm install failed (offline?): ${npm.text.slice(-300)}`,
        });
        autocannon = null;
      }
    }
  }
  let wrk = await which("wrk");
  if (!wrk) {
    if (ctx.smoke) skipped.push({ tool: "wrk", reason: "smoke run: nothing is installed" });
    else if (process.getuid?.() !== 0)
      skipped.push({ tool: "wrk", reason: "not installed, and not root to `apt-get install -y wrk`" });
    else {
      ctx.log("load: apt-get install -y wrk");
      let apt = await exec("apt-get", ["install", "-y", "wrk"]);
      if (apt.code !== 0) {
        await exec("apt-get", ["update"]);
        apt = await exec("apt-get", ["install", "-y", "wrk"]);
      }
      wrk = await which("wrk");
      if (!wrk)
        skipped.push({
          tool: "wrk",
          reason: `apt-get install wrk failed (offline?): ${apt.text.slice(-300)}`,
        });
    }
  }
  return { autocannon, wrk, skipped };
}

/** One autocannon step: `-c` connections (closed loop), or `--overallRate` over 256 connections. */
export async function runAutocannon(
  script: string,
  url: string,
  bodyFile: string,
  setting: { concurrency: number | null; rate: number | null },
  durationS: number,
): Promise<ToolRun> {
  const args = [
    url,
    "-m",
    "POST",
    "-H",
    "content-type=application/json",
    "-i",
    bodyFile,
    "-d",
    String(durationS),
    "-j",
  ];
  if (setting.rate === null) args.push("-c", String(setting.concurrency));
  else args.push("-c", "256", "--overallRate", String(setting.rate));
  const run = await runNodeMeasured(script, args);
  if (run.exitCode !== 0) throw new Error(`autocannon exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
  const result = JSON.parse(run.stdout) as {
    "2xx": number;
    duration: number;
    non2xx: number;
    errors: number;
  };
  return {
    count: result["2xx"],
    windowS: null,
    cpuMs: run.cpuMs,
    peakRssMb: run.peakRssMb,
    ...((result.non2xx > 0 || result.errors > 0) && {
      note: `${result.non2xx} non-2xx, ${result.errors} errors`,
    }),
  };
}

/** One wrk step (one thread, `-c` connections), timed by /usr/bin/time for its CPU and peak RSS. */
export async function runWrk(
  wrk: string,
  url: string,
  bodyFile: string,
  concurrency: number,
  durationS: number,
  dir: string,
): Promise<ToolRun> {
  const lua = join(dir, "post.lua");
  writeFileSync(
    lua,
    [
      'wrk.method = "POST"',
      `local f = io.open(${JSON.stringify(bodyFile)}, "rb")`,
      "wrk.body = f:read('*a')",
      "f:close()",
      'wrk.headers["Content-Type"] = "application/json"',
      "",
    ].join("\n"),
  );
  const timed = existsSync("/usr/bin/time");
  const wrkArgs = ["-t1", `-c${concurrency}`, `-d${durationS}s`, "-s", lua, url];
  const result = timed
    ? await exec("/usr/bin/time", ["-f", "TIME %U %S %M", wrk, ...wrkArgs])
    : await exec(wrk, wrkArgs);
  if (result.code !== 0) throw new Error(`wrk exited ${result.code}: ${result.text.slice(-2000)}`);
  const requests = /(\d+) requests in ([\d.]+)(m?s)/.exec(result.text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(result.text);
  const time = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(result.text);
  return {
    count: requests ? Number(requests[1]) - (non2xx ? Number(non2xx[1]) : 0) : null,
    windowS: null,
    cpuMs: time ? (Number(time[1]) + Number(time[2])) * 1000 : null,
    peakRssMb: time ? (Number(time[3]) * 1024) / 1e6 : null,
  };
}
