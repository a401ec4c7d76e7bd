/**
 * `junit`: the gate verdicts as JUnit XML, for CI systems that show test results (GitLab,
 * Jenkins, Azure, GitHub test reporters): one test case per gate × model × task, a failed or
 * unknown verdict as a `<failure>` whose message carries the numbers, an inconclusive one as a
 * pass that says so; and one case for `max_error_rate` when it is set. Written to `--junit FILE`,
 * else `junit.xml` in the run directory.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LoadSummary } from "../src/load/summary.ts";
import type { GateReport, GateVerdict } from "../src/metrics/gate-report.ts";
import type { Summary } from "../src/metrics/summary.ts";
import type { FileOutput } from "./output.ts";

export const JUNIT_FILE = "junit.xml";

/**
 * Text safe in XML 1.0 attribute values and content: the five special characters escaped, and
 * characters XML cannot carry at all (most control characters, lone surrogates) replaced by U+FFFD.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
    );
}

interface TestCase {
  classname: string;
  name: string;
  failure?: { message: string; details: string };
  out?: string;
}

function verdictCase(suite: string, v: GateVerdict): TestCase {
  const where = v.task === null ? v.model : `${v.model} × ${v.task}`;
  const details = [v.message, `test: ${v.test}`, ...v.warnings.map((w) => `warning: ${w}`)].join("\n");
  const testCase: TestCase = { classname: `opbench.${suite}.${v.model}`, name: `${v.gate} [${where}]` };
  if (v.status === "fail" || v.status === "unknown") testCase.failure = { message: v.message, details };
  else testCase.out = details;
  return testCase;
}

/** The run a JUnit file is about. */
interface JunitRun {
  suite: string;
  suiteHash: string;
  runId: string;
  report: GateReport | undefined;
}

/** The JUnit XML of a summary's gates (an empty suite when the run was not gated). */
export function renderJunit(summary: Summary): string {
  return renderJunitOf({
    suite: summary.run.suite.name,
    suiteHash: summary.run.suite.hash,
    runId: summary.run.run_id,
    report: summary.gates,
  });
}

function renderJunitOf({ suite, suiteHash, runId, report }: JunitRun): string {
  const cases: TestCase[] = (report?.verdicts ?? []).map((v) => verdictCase(suite, v));
  if (report?.error_rate && report.max_error_rate !== null) {
    const { failed, calls, rate, exceeded } = report.error_rate;
    const message = `${failed} of ${calls} calls failed (${rate === null ? "unknown" : `${(rate * 100).toFixed(2)}%`}), allowed ≤ ${(report.max_error_rate * 100).toFixed(2)}%`;
    cases.push({
      classname: `opbench.${suite}`,
      name: `max_error_rate <= ${report.max_error_rate}`,
      ...(exceeded ? { failure: { message, details: message } } : { out: message }),
    });
  }
  const failures = cases.filter((c) => c.failure).length;
  const properties = [
    ["suite_hash", suiteHash],
    ["run_id", runId],
    ...(report ? [["alpha", String(report.alpha)]] : []),
    ...(report?.baseline ? [["baseline", report.baseline.source]] : []),
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="opbench" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${escapeXml(`opbench gates: ${suite}`)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    "    <properties>",
    ...properties.map(
      ([name, value]) => `      <property name="${escapeXml(name!)}" value="${escapeXml(value!)}"/>`,
    ),
    "    </properties>",
  ];
  for (const c of cases) {
    lines.push(`    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}">`);
    if (c.failure) {
      lines.push(
        `      <failure message="${escapeXml(c.failure.message)}" type="gate">${escapeXml(c.failure.details)}</failure>`,
      );
    }
    if (c.out) lines.push(`      <system-out>${escapeXml(c.out)}</system-out>`);
    lines.push("    </testcase>");
  }
  if (report && report.warnings.length > 0) {
    lines.push(`    <system-err>${escapeXml(report.warnings.join("\n"))}</system-err>`);
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}

export const junit = {
  kind: "file",
  description: "JUnit XML of the gate verdicts (--junit FILE, else junit.xml in the run directory)",
  title: "JUnit",
  run: ({ runDir, summary, junitFile }) =>
    writeXml(junitFile ?? join(runDir, JUNIT_FILE), renderJunit(summary)),
  load: ({ runDir, load, junitFile }) =>
    writeXml(junitFile ?? join(runDir, JUNIT_FILE), renderLoadJunit(load)),
} satisfies FileOutput;

/** The JUnit XML of a load sweep's gates. */
export function renderLoadJunit(load: LoadSummary): string {
  return renderJunitOf({
    suite: load.run?.suite.name ?? "load",
    suiteHash: load.run?.suite.hash ?? "",
    runId: load.run?.run_id ?? "",
    report: load.gates,
  });
}

function writeXml(path: string, xml: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, xml);
  return path;
}
