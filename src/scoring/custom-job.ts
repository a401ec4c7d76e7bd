/**
 * The `custom` scorer's job, run inside the sandbox (src/sandbox/child.ts): imports the user's
 * module and calls its export with the score input and options. Node built-ins only.
 */
import { pathToFileURL } from "node:url";

export interface CustomJob {
  module: string;
  exportName: string;
  input: unknown;
  options: unknown;
}

export async function runJob(job: CustomJob): Promise<unknown> {
  const namespace = (await import(pathToFileURL(job.module).href)) as Record<string, unknown>;
  const scorer = namespace[job.exportName];
  if (typeof scorer !== "function")
    throw new TypeError(`the module has no function export "${job.exportName}"`);
  return await scorer(job.input, job.options);
}
