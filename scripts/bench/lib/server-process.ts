/**
 * The scripted server in its own process (fixtures/scripted-server/main.ts), so it never shares
 * an event loop with the client being measured; its truth is read back over its control API.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { StreamScript } from "../../../fixtures/scripted-server/script.ts";
import type { TruthRecord } from "../../../fixtures/scripted-server/server.ts";

const MAIN = fileURLToPath(new URL("../../../fixtures/scripted-server/main.ts", import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** Truth of every chat request since the last clear; `clear` empties it after reading. */
  truth(clear?: boolean): Promise<TruthRecord[]>;
  setScript(change: Partial<StreamScript>): Promise<StreamScript>;
  stop(): Promise<void>;
}

/**
 * Starts the server process with `script` and waits until it listens. `heartbeat`: its records
 * say how late its own event loop was at each arrival (`loopLateMs`).
 */
export async function startServerProcess(
  script: Partial<StreamScript> = {},
  options: { heartbeat?: boolean } = {},
): Promise<ServerProcess> {
  const flags: string[] = ["--stdin-lifeline", "--max-seconds", "3600"];
  if (options.heartbeat) flags.push("--heartbeat");
  if (script.ttftMs !== undefined) flags.push("--ttft-ms", String(script.ttftMs));
  if (script.chunkGapMs !== undefined) flags.push("--gap-ms", String(script.chunkGapMs));
  if (script.chunks !== undefined) flags.push("--chunks", String(script.chunks));
  if (script.text !== undefined) flags.push("--text", script.text);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [MAIN, ...flags], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (part: Buffer) => {
    stderr = (stderr + part.toString("utf8")).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) =>
      reject(new Error(`scripted server exited (${code}) before listening: ${stderr}`)),
    );
    child.once("error", reject);
  });
  lines.close();
  const { url, pid } = JSON.parse(first) as { url: string; pid: number };
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    pid,
    async truth(clear = false) {
      const response = await fetch(`${url}/__bench/truth${clear ? "?clear=1" : ""}`);
      return ((await response.json()) as { records: TruthRecord[] }).records;
    },
    async setScript(change) {
      const response = await fetch(`${url}/__bench/script`, { method: "POST", body: JSON.stringify(change) });
      if (!response.ok) throw new Error(`setScript: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as StreamScript;
    },
    async stop() {
      if (child.exitCode === null) {
        child.stdin.end();
        child.kill("SIGTERM");
      }
      await exited;
    },
  };
}
