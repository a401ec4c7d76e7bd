/** `opbench schema`: the suite format as JSON Schema, for `# yaml-language-server: $schema=…`. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadAllRunners } from "../../runners/index.ts";
import { loadAllScorers } from "../scoring/index.ts";
import { suiteJsonSchema } from "../suite/json-schema.ts";

export async function schemaCommand(out: string | undefined): Promise<number> {
  // The format lists every plug-in.
  await Promise.all([loadAllRunners(), loadAllScorers()]);
  const text = `${JSON.stringify(suiteJsonSchema(), null, 2)}\n`;
  if (out === undefined) {
    process.stdout.write(text);
  } else {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, text);
  }
  return 0;
}
