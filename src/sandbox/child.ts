/**
 * The first module a sandboxed process runs. It reads its job from stdin (a nonce, the job
 * module's path, the job's input), turns off the network, imports the job and calls its
 * `runJob(input, send, {dir})` (dir: the temp dir, also the working directory). Messages go to stdout as lines starting with the nonce, written with
 * references taken before the job runs, so output the untrusted code prints cannot pass for one.
 */
import { readFileSync, writeSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { lockNetwork } from "./network-lock.ts";

const stringify = JSON.stringify;
const isArray = Array.isArray;
const keysOf = Object.keys;

/**
 * JSON of plain data, made without anything the job's code can patch: JSON.stringify would call
 * a `toJSON` the code put on Object.prototype, and iterators can be replaced. Primitives only go
 * through the captured JSON.stringify (it looks up no `toJSON` on them).
 */
function encode(value: unknown): string {
  if (value === null || typeof value !== "object") return stringify(value) ?? "null";
  if (isArray(value)) {
    let out = "[";
    for (let index = 0; index < value.length; index++)
      out += `${index === 0 ? "" : ","}${encode(value[index])}`;
    return `${out}]`;
  }
  const keys = keysOf(value);
  let out = "{";
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    out += `${index === 0 ? "" : ","}${stringify(key)}:${encode((value as Record<string, unknown>)[key])}`;
  }
  return `${out}}`;
}
const exit = process.exit.bind(process);
const request = JSON.parse(readFileSync(0, "utf8")) as { nonce: string; job: string; input: unknown };
const { nonce } = request;

function post(message: unknown): void {
  writeSync(1, `\n${nonce}${encode(message)}\n`);
}

function describe(thrown: unknown): { message: string; code?: string } {
  if (thrown instanceof Error) {
    const code = (thrown as Error & { code?: unknown }).code;
    const message = `${thrown.name}: ${thrown.message}`;
    return typeof code === "string" ? { message, code } : { message };
  }
  return { message: String(thrown) };
}

const fail = (thrown: unknown) => {
  post({ error: describe(thrown) });
  exit(70);
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

lockNetwork();
const job = (await import(pathToFileURL(request.job).href)) as {
  runJob(input: unknown, send: (message: unknown) => void, context: { dir: string }): Promise<unknown>;
};
const value = await job.runJob(request.input, (message) => post({ progress: message }), {
  dir: process.cwd(),
});
post({ result: value === undefined ? null : value });
exit(0);
