/**
 * Starts a real llama-server (OPBENCH_TEST_LLAMA_SERVER, set by test/setup/global.ts) on a
 * free port with the tiny test model, waits for /health, and stops it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import getPort from "get-port";

export { TINY_MODEL } from "./shared-models.ts";

import { TINY_MODEL } from "./shared-models.ts";

export interface TestServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and waits for the exit. Safe to call twice. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface TestServerOptions {
  /** Server slots (-np), default 1. */
  slots?: number;
  /** Context per slot in tokens, default 1024. */
  slotCtx?: number;
  model?: string;
  args?: string[];
  /** Port to listen on (default: a free one); lets a test restart a server at the same URL. */
  port?: number;
}

/** The llama-server binary the tests run against. */
export function llamaServerBinary(): string {
  const binary = process.env.OPBENCH_TEST_LLAMA_SERVER;
  if (!binary) throw new Error("OPBENCH_TEST_LLAMA_SERVER is not set (test/setup/global.ts sets it)");
  return binary;
}

/** Starts llama-server with one CPU thread and waits until /health answers 200 (30 s at most). */
export async function startLlamaServer(options: TestServerOptions = {}): Promise<TestServer> {
  const slots = options.slots ?? 1;
  const port = options.port ?? (await getPort({ host: "127.0.0.1" }));
  const args = [
    "-m",
    options.model ?? TINY_MODEL,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "-np",
    String(slots),
    "-c",
    String((options.slotCtx ?? 1024) * slots),
    "-t",
    "1",
    ...(options.args ?? []),
  ];
  const child = spawn(llamaServerBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited early:\n${log}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop("SIGKILL");
      throw new Error(`llama-server not healthy within 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, port, process: child, output: () => log, stop };
}
