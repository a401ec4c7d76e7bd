/**
 * The output registry: what it lists, selection by name, the errors for a name that is not
 * there or not for the command, and what each built-in output writes or prints.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_OUTPUTS,
  OUTPUT_NAMES,
  OutputSelectionError,
  outputs,
  selectOutputs,
} from "../../reports/index.ts";
import { type Output, type OutputTerminal, outputModes, produceOutputs } from "../../reports/output.ts";
import { DEFAULT_OUTPUTS_HELP, OUTPUT_NAMES_HELP } from "../../src/cli/format-option.ts";
import { outputNames, produceAndList } from "../../src/cli/outputs.ts";
import { LOAD_SUMMARY_VERSION, type LoadSummary } from "../../src/load/summary.ts";
import { printLoadSummary } from "../../src/load/table.ts";
import { printSummary } from "../../src/terminal/summary-table.ts";
import { build, call, start } from "../helpers/summary-log.ts";

/** A terminal that keeps what was printed, in order, each line tagged with its stream. */
function recordingTerminal() {
  const lines: string[] = [];
  const terminal: OutputTerminal = {
    stdout: (line) => lines.push(`out: ${line}`),
    stderr: (line) => lines.push(`err: ${line}`),
  };
  return { lines, terminal };
}

/** The lines `print` writes. */
function printed(print: (write: (line: string) => void) => void): string[] {
  const lines: string[] = [];
  print((line) => lines.push(line));
  return lines;
}

const summary = build([start, call("local", 0), call("api", 0), call("local", 1, { output: "wrong" })]);

/** load.json of a sweep with no step yet: enough for what the outputs do with it. */
const loadSummary: LoadSummary = {
  load_version: LOAD_SUMMARY_VERSION,
  metrics_version: "1",
  run: null,
  model: "m",
  runner: "llamacpp",
  backend: null,
  mode: "concurrency",
  slo: { e2e_ms: 900 },
  attainment: 0.9,
  settings: {},
  steps: [],
  max_goodput_throughput: null,
  stopped: "levels_done",
};

describe("the output registry", () => {
  it("lists every output under its name, each for at least one mode, with a description", () => {
    expect(OUTPUT_NAMES).toEqual(
      expect.arrayContaining([
        "table",
        "json",
        "summary-json",
        "load-json",
        "html",
        "markdown",
        "github-summary",
        "csv",
        "junit",
      ]),
    );
    for (const name of OUTPUT_NAMES) {
      const output: Output = outputs[name];
      expect(output.description.length, name).toBeGreaterThan(10);
      expect(outputModes(output).length, name).toBeGreaterThan(0);
    }
    expect(outputModes(outputs["summary-json"])).toEqual(["run"]);
    expect(outputModes(outputs["load-json"])).toEqual(["load"]);
    expect(outputModes(outputs.table)).toEqual(["run", "load"]);
  });

  it("has defaults: summary.json, report.md, report.html, the job summary and table for run; load.json + table for load", () => {
    expect(DEFAULT_OUTPUTS).toEqual({
      run: ["summary-json", "markdown", "html", "github-summary", "table"],
      load: ["load-json", "html", "table"],
    });
    expect(selectOutputs("run", DEFAULT_OUTPUTS.run).map((s) => s.output)).toEqual([
      outputs["summary-json"],
      outputs.markdown,
      outputs.html,
      outputs["github-summary"],
      outputs.table,
    ]);
  });

  it("selects by name, in the order given, each once", () => {
    const selected = selectOutputs("run", ["json", "summary-json", "json"]);
    expect(selected.map((s) => s.name)).toEqual(["json", "summary-json"]);
    expect(selected[0]!.output).toBe(outputs.json);
  });

  it("is what --help names (written out there so the CLI starts without loading the outputs)", () => {
    expect(OUTPUT_NAMES_HELP).toBe(OUTPUT_NAMES.join(", "));
    expect(DEFAULT_OUTPUTS_HELP.run).toBe(DEFAULT_OUTPUTS.run.join(","));
    expect(DEFAULT_OUTPUTS_HELP.load).toBe(DEFAULT_OUTPUTS.load.join(","));
  });

  it("rejects an unknown name, listing every output with its description", () => {
    const attempt = () => selectOutputs("run", ["table", "xml"]);
    expect(attempt).toThrow(OutputSelectionError);
    expect(attempt).toThrow(/unknown output "xml" in --format; the outputs are:/);
    let message = "";
    try {
      attempt();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of OUTPUT_NAMES) expect(message).toContain(`  ${name} `);
    expect(message).toContain(outputs["load-json"].description);
    // Names of the object's prototype are no outputs either.
    expect(() => selectOutputs("run", ["toString"])).toThrow(/unknown output "toString"/);
  });

  it("rejects an output that is not for the command's results", () => {
    expect(() => selectOutputs("load", ["summary-json"])).toThrow(
      /output summary-json is not for load sweeps; the outputs are:/,
    );
    expect(() => selectOutputs("run", ["load-json"])).toThrow(/output load-json is not for runs/);
  });
});

describe("--format and --json", () => {
  it("give the mode's defaults without --format, json in the place of table with --json", () => {
    expect(outputNames("run", {})).toEqual([...DEFAULT_OUTPUTS.run]);
    expect(outputNames("run", { json: true })).toEqual(
      DEFAULT_OUTPUTS.run.map((name) => (name === "table" ? "json" : name)),
    );
    expect(outputNames("load", { json: false })).toEqual(["load-json", "html", "table"]);
    expect(outputNames("load", { json: true })).toEqual(["load-json", "html", "json"]);
  });

  it("take the names given, repeated or comma-separated, plus json for --json", () => {
    expect(outputNames("run", { format: ["table"] })).toEqual(["table"]);
    expect(outputNames("run", { format: ["table, summary-json", "json"] })).toEqual([
      "table",
      "summary-json",
      "json",
    ]);
    expect(outputNames("run", { format: ["table"], json: true })).toEqual(["table", "json"]);
    expect(outputNames("run", { format: [""] })).toEqual([]);
  });
});

describe("the built-in outputs", () => {
  it("run: write summary.json as before, print the table, and name the files on stderr", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-outputs-"));
    const { lines, terminal } = recordingTerminal();
    // Printers come after the files whatever the order asked for.
    await produceAndList(
      selectOutputs("run", ["table", "summary-json"]),
      "run",
      { runDir, summary },
      terminal,
    );
    expect(readFileSync(join(runDir, "summary.json"), "utf8")).toBe(`${JSON.stringify(summary, null, 2)}\n`);
    expect(lines).toEqual([
      ...printed((write) => printSummary(summary, write)).map((line) => `out: ${line}`),
      `err: Records: ${join(runDir, "events.jsonl")}`,
      `err: Summary: ${join(runDir, "summary.json")}`,
    ]);
    expect(lines.length).toBeGreaterThan(4); // the table was really printed
  });

  it("run: json prints the summary as summary.json holds it", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-outputs-"));
    const { lines, terminal } = recordingTerminal();
    const written = await produceOutputs(
      selectOutputs("run", ["json"]),
      "run",
      { runDir, summary },
      terminal,
    );
    expect(written).toEqual([]);
    expect(lines).toEqual([`out: ${JSON.stringify(summary, null, 2)}`]);
  });

  it("load: write load.json, print the step table or the JSON", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-outputs-"));
    const { lines, terminal } = recordingTerminal();
    const input = { runDir, load: loadSummary };
    const written = await produceOutputs(
      selectOutputs("load", ["load-json", "table", "json"]),
      "load",
      input,
      terminal,
    );
    expect(written).toEqual([{ name: "load-json", title: "Results", path: join(runDir, "load.json") }]);
    expect(JSON.parse(readFileSync(join(runDir, "load.json"), "utf8"))).toEqual(loadSummary);
    expect(lines).toEqual([
      ...printed((write) => printLoadSummary(loadSummary, write)).map((line) => `out: ${line}`),
      `out: ${JSON.stringify(loadSummary, null, 2)}`,
    ]);
  });
});
