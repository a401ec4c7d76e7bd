/** `markdown`: report.md in the run directory, the results as GitHub-flavoured Markdown (a PR comment). */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderRunMarkdown } from "./markdown-text.ts";
import type { FileOutput } from "./output.ts";

/** The file's name in the run directory. */
export const REPORT_MD_FILE = "report.md";

export const markdown = {
  kind: "file",
  description: "report.md in the run directory: savings, results and savings tables as Markdown",
  title: "Report",
  run: ({ runDir, summary }) => {
    const path = join(runDir, REPORT_MD_FILE);
    writeFileSync(path, renderRunMarkdown(summary));
    return path;
  },
} satisfies FileOutput;
