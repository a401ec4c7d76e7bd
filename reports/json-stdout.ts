/** `json`: the results as JSON on stdout (summary.json's or load.json's content), for `jq` and scripts. */
import type { PrintOutput } from "./output.ts";

/** Two-space JSON, as the files are written. */
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

export const jsonStdout = {
  kind: "print",
  description: "the summary (run) or load.json (load) as JSON on stdout",
  run: ({ summary }, terminal) => terminal.stdout(pretty(summary)),
  load: ({ load }, terminal) => terminal.stdout(pretty(load)),
} satisfies PrintOutput;
