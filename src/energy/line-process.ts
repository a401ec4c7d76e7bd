/**
 * A long-lived child process read line by line: one spawn for a whole measurement (a sampler
 * at 10 Hz must not fork 10 processes a second). Also a PATH lookup and a one-shot runner.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { constants, statSync } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { createInterface } from "node:readline";

/** Full path of an executable found on PATH (or the path itself when it has a slash), or null. */
export async function findExecutable(name: string): Promise<string | null> {
  const candidates =
    isAbsolute(name) || name.includes("/")
      ? [name]
      : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    // A PATH folder without the name is the usual case: a stat that returns undefined costs no
    // thrown error (each failed `access` built one, with its stack: ~1 ms a folder at start-up).
    // It still throws for a folder that cannot be searched or a symlink loop: skipped too.
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(candidate, { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (!stats?.isFile()) continue;
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

/** Runs a command to completion: stdout, stderr and exit code (null when killed or not started). */
export function runOnce(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 10_000, env: options.env ?? process.env, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({
          code,
          stdout,
          stderr: stderr || (error && typeof error.code !== "number" ? error.message : ""),
        });
      },
    );
  });
}

/** A child whose stdout is delivered line by line. */
export class LineProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderrText = "";
  /** Resolves with the exit code (null when killed by a signal) once the child has exited. */
  readonly exited: Promise<number | null>;
  private done = false;

  /**
   * @param onLine called for each stdout line, without its newline
   */
  constructor(
    command: string,
    args: readonly string[],
    onLine: (line: string) => void,
    options: { env?: NodeJS.ProcessEnv } = {},
  ) {
    this.child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: options.env ?? process.env });
    createInterface({ input: this.child.stdout }).on("line", onLine);
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      // Keep the tail only: enough to explain a failure.
      this.stderrText = (this.stderrText + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      this.child.on("error", (error) => {
        this.stderrText += error.message;
        this.done = true;
        resolve(null);
      });
      this.child.on("close", (code) => {
        this.done = true;
        resolve(code);
      });
    });
  }

  /** Whether the child has exited. */
  get running(): boolean {
    return !this.done;
  }

  /** The last few KB the child wrote to stderr (or the spawn error). */
  get stderr(): string {
    return this.stderrText.trim();
  }

  /** Writes a line to the child's stdin. */
  send(line: string): void {
    if (!this.done) this.child.stdin.write(`${line}\n`);
  }

  /** Ends the child: stdin closed, SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.done) return;
    this.child.stdin.end();
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
