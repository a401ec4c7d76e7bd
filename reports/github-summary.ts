/**
 * `github-summary`: appends the Markdown report (as report.md holds it) to the file GitHub Actions
 * names in `$GITHUB_STEP_SUMMARY`, so a run in a workflow shows its results on the job's page.
 * Without the variable it does nothing and names no file.
 */

import { appendFileSync } from "node:fs";
import { renderRunMarkdown } from "./markdown-text.ts";
import type { FileOutput } from "./output.ts";

export const githubSummary = {
  kind: "file",
  description: "appends the Markdown report to $GITHUB_STEP_SUMMARY when set (GitHub Actions), else nothing",
  title: "GitHub step summary",
  run: ({ summary }) => {
    const path = process.env.GITHUB_STEP_SUMMARY;
    if (!path) return null;
    appendFileSync(path, `${renderRunMarkdown(summary)}\n`);
    return path;
  },
} satisfies FileOutput;
