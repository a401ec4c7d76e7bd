/**
 * Managed llama-server processes. Models whose spawn configs are identical share one process
 * (reference-counted, keyed by a hash of the launch): that is how one base model with several
 * LoRA adapters appears as several models of a suite, each request picking its adapter.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import stableStringify from "safe-stable-stringify";
import { parseDuration } from "../src/core/duration.ts";
import type { RunnerContext } from "../src/core/runner.ts";
import type { SpawnConfig } from "./llamacpp-config.ts";
import { waitForHealth } from "./llamacpp-probe.ts";

/** Default per-slot context in tokens: `-c` is the total, split evenly across `-np` slots. */
export const DEFAULT_SLOT_CTX = 2048;
/** Default wait for `/health` after spawning, in milliseconds. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;
/** Time between SIGTERM and SIGKILL on shutdown, in milliseconds. */
const KILL_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 30;

/** A running shared server, as one model sees it. */
export interface ManagedServer {
  url: string;
  /** Launch facts for BackendInfo. */
  launch: { binary: string; args: string[]; pid: number | undefined; log: string; shared: boolean };
  /** Devices `llama-server --list-devices` reported, and the device the model was asked to run on. */
  devices: { device: string; available: string[] };
  /** Drops this model's reference; the last one stops the process. Safe to call twice. */
  release(): Promise<void>;
}

interface PoolEntry {
  refs: number;
  ready: Promise<
    Omit<ManagedServer, "release" | "launch"> & { launch: Omit<ManagedServer["launch"], "shared"> }
  >;
  stop: () => Promise<void>;
}

const pool = new Map<string, PoolEntry>();
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * The llama-server executable: `configured` (spawn.binary), else `$LLAMA_SERVER`, else
 * `llama-server` on PATH. Throws naming all three when the chosen one is not executable.
 */
export function resolveBinary(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const [candidate, source] =
    configured !== undefined
      ? [configured, "spawn.binary"]
      : env.LLAMA_SERVER
        ? [env.LLAMA_SERVER, "$LLAMA_SERVER"]
        : ["llama-server", "PATH"];
  const found = candidate.includes("/") ? executable(candidate) : searchPath(candidate, env.PATH ?? "");
  if (found) return found;
  throw new Error(
    `llama-server not found (${source}: ${candidate}). Set spawn.binary in the suite, or the LLAMA_SERVER ` +
      "environment variable, or put llama-server on PATH (build one with `npm run llama-server`).",
  );
}

function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

function searchPath(name: string, pathList: string): string | undefined {
  for (const dir of pathList.split(delimiter)) {
    if (!dir) continue;
    const found = executable(join(dir, name));
    if (found) return found;
  }
  return undefined;
}

/**
 * llama-server arguments for a spawn config, without `--port` (chosen at launch). `parallel`
 * defaults to `concurrency`; the total context to DEFAULT_SLOT_CTX tokens per slot; `--jinja`
 * unless the extra args say `--jinja` or `--no-jinja`.
 */
export function serverArgs(spawnConfig: SpawnConfig, concurrency: number): string[] {
  const parallel = spawnConfig.parallel ?? concurrency;
  const args = ["-m", spawnConfig.model, "--host", "127.0.0.1", "-np", String(parallel)];
  args.push("-c", String(spawnConfig.ctx_size ?? DEFAULT_SLOT_CTX * parallel));
  if (spawnConfig.threads !== undefined) args.push("-t", String(spawnConfig.threads));
  if (spawnConfig.gpu_layers !== undefined) args.push("-ngl", String(spawnConfig.gpu_layers));
  for (const adapter of spawnConfig.lora ?? []) args.push("--lora", adapter);
  // Adapters start at scale 0: each request says which one it runs (see resolveLora).
  if (spawnConfig.lora?.length) args.push("--lora-init-without-apply");
  args.push("--metrics");
  // Tool calls (and chat templates' own logic) need the Jinja template engine; recent builds enable
  // it by default, older ones only on request. Extra args that choose either way are left to decide.
  const extra = spawnConfig.args ?? [];
  if (!extra.includes("--jinja") && !extra.includes("--no-jinja")) args.push("--jinja");
  args.push(...extra);
  return args;
}

/** A file-name-safe form of a model id. */
export function sanitizeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Starts (or joins) the server for `spawnConfig` and waits until `/health` is ok. The log goes
 * to `<runDir>/llama-server-<model id>.log`; if the process exits during startup the error
 * carries the log's last lines.
 */
export async function acquireServer(
  spawnConfig: SpawnConfig,
  modelId: string,
  ctx: RunnerContext,
): Promise<ManagedServer> {
  const binary = resolveBinary(spawnConfig.binary);
  const args = serverArgs(spawnConfig, ctx.concurrency);
  const key = createHash("sha256")
    .update(stableStringify({ binary, args, runDir: ctx.runDir }) ?? "")
    .digest("hex");
  let entry = pool.get(key);
  const shared = entry !== undefined;
  if (entry === undefined) {
    entry = launch(binary, args, spawnConfig, modelId, ctx);
    pool.set(key, entry);
  }
  entry.refs++;
  const current = entry;
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    current.refs--;
    if (current.refs === 0) {
      if (pool.get(key) === current) pool.delete(key);
      await current.stop();
    }
  };
  try {
    const ready = await current.ready;
    return { ...ready, launch: { ...ready.launch, shared }, release };
  } catch (error) {
    await release();
    throw error;
  }
}

function launch(
  binary: string,
  baseArgs: string[],
  spawnConfig: SpawnConfig,
  modelId: string,
  ctx: RunnerContext,
): PoolEntry {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const stop = async (): Promise<void> => {
    if (child) await terminate(child, exited);
  };
  const ready = (async () => {
    mkdirSync(ctx.runDir, { recursive: true });
    const log = join(ctx.runDir, `llama-server-${sanitizeId(modelId)}.log`);
    const { default: getPort } = await import("get-port"); // only managed servers need a port
    const port = await getPort({ host: "127.0.0.1" });
    const args = [...baseArgs, "--port", String(port)];
    const devicesPromise = listDevices(binary);
    const fd = openSync(log, "a");
    try {
      child = spawn(binary, args, { stdio: ["ignore", fd, fd] });
    } finally {
      closeSync(fd);
    }
    const proc = child;
    trackChild(proc);
    const exitedEarly = new AbortController();
    exited = new Promise<void>((resolveExit) => {
      proc.once("exit", (code, signal) => {
        liveChildren.delete(proc);
        exitedEarly.abort(
          new Error(
            `llama-server exited during startup (${signal ?? `code ${code}`}); last lines of ${log}:\n${logTail(log)}`,
          ),
        );
        resolveExit();
      });
      proc.once("error", (error) => {
        liveChildren.delete(proc);
        exitedEarly.abort(new Error(`could not start ${binary}: ${error.message}`));
        resolveExit();
      });
    });
    const url = `http://127.0.0.1:${port}`;
    ctx.log(`started llama-server for ${modelId} (pid ${proc.pid}, ${url}, log ${log})`);
    const startupTimeoutMs =
      spawnConfig.startup_timeout !== undefined
        ? parseDuration(spawnConfig.startup_timeout)
        : DEFAULT_STARTUP_TIMEOUT_MS;
    try {
      await waitForHealth(url, {
        timeoutMs: startupTimeoutMs,
        signal: AbortSignal.any([ctx.signal, exitedEarly.signal]),
      });
    } catch (error) {
      await terminate(proc, exited);
      throw exitedEarly.signal.aborted ? exitedEarly.signal.reason : error;
    }
    const devices = await devicesPromise;
    return {
      url,
      launch: { binary, args, pid: proc.pid, log },
      devices: { device: deviceOf(devices, spawnConfig), available: devices },
    };
  })();
  // A failed start is reported to every waiter through `ready`; keep it from being "unhandled".
  ready.catch(() => {});
  return { refs: 0, ready, stop };
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Kills every managed server if opbench itself exits without shutting its runners down. */
function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const live of liveChildren) live.kill("SIGKILL");
  });
}

function logTail(path: string): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
  } catch {
    return "(log unreadable)";
  }
}

/** Devices from `llama-server --list-devices`, e.g. `CUDA0: NVIDIA H100 ... (81079 MiB, ...)`. */
async function listDevices(binary: string): Promise<string[]> {
  try {
    const { stdout } = await promisify(execFile)(binary, ["--list-devices"], { timeout: 30_000 });
    return parseDeviceList(stdout);
  } catch {
    return [];
  }
}

/** Parses the output of `llama-server --list-devices` into device lines. */
export function parseDeviceList(output: string): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.startsWith("Available devices"));
  if (start < 0) return [];
  return lines
    .slice(start + 1)
    .map((line) => line.trim())
    .filter((line) => /^\S+: /.test(line));
}

/**
 * The device the model was configured to run on: "cpu" without GPU devices or with 0 GPU
 * layers (from spawn.gpu_layers or `-ngl`/`--device none` in spawn.args), else the backend of
 * the first device ("cuda", "vulkan", "metal", ...). llama-server's default is to offload.
 */
export function deviceOf(devices: string[], spawnConfig: SpawnConfig): string {
  const args = spawnConfig.args ?? [];
  const flagValue = (names: string[]): string | undefined => {
    const index = args.findLastIndex((arg) => names.includes(arg));
    return index >= 0 ? args[index + 1] : undefined;
  };
  const layers = flagValue(["-ngl", "--gpu-layers", "--n-gpu-layers"]) ?? spawnConfig.gpu_layers;
  const device = flagValue(["-dev", "--device"]);
  if (devices.length === 0 || String(layers) === "0" || device === "none") return "cpu";
  const backend = /^([A-Za-z]+)/.exec(devices[0] ?? "")?.[1];
  return backend ? backend.toLowerCase() : "gpu";
}
