/**
 * `opbench init` as a user meets it: a suite from a CSV of labels, a JSONL of JSON answers and a
 * CSV of free-text answers, each written suite validating as `run` would check it; the example
 * suite with no file; never overwriting without --force; and bad files (empty, no header row,
 * not UTF-8, a 200 MB file read only at its head) each a clear message, never a stack trace.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../helpers/cli.ts";

const noTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

function dirWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "opbench-init-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const tickets = [
  "ticket,team",
  "I was charged twice,billing",
  "The app crashes on upload,tech",
  "Discounts for 50 seats?,sales",
  "Wrong VAT number on my invoice,billing",
  '"Login fails, says ""error 500""",tech',
].join("\n");

describe("opbench init from a data file", () => {
  it("labels: exact + one_of with the label set, a grammar, the API model ignoring it; the suite validates", async () => {
    const dir = dirWith({ "tickets.csv": tickets });
    const result = await runCli(["init", "tickets.csv", "--yes"], {}, false, dir);
    expect(result.code, result.stderr).toBe(0);
    noTrace(result.stderr);
    expect(result.stderr).toContain('answer column "team", input column "ticket", task: classify (3 labels)');
    const path = join(dir, "tickets.suite.yaml");
    const suite = parse(readFileSync(path, "utf8"));
    expect(suite.models.map((m: { id: string }) => m.id)).toEqual(["local", "gpt-4.1"]);
    expect(suite.models[1].ignore_grammar).toBe(true);
    expect(suite.savings).toEqual([{ candidate: "local", baseline: "gpt-4.1" }]);
    const [task] = suite.tasks;
    expect(task.dataset).toBe("./tickets.csv");
    expect(task.expected).toBe("{{team}}");
    expect(task.prompt).toContain("{{ticket}}");
    expect(task.scorers[1]).toEqual({
      type: "one_of",
      name: "valid_label",
      labels: ["billing", "tech", "sales"],
    });
    expect(task.grammar.trim()).toBe('root ::= "billing" | "tech" | "sales"');
    expect(readFileSync(path, "utf8")).toMatch(
      /^# yaml-language-server: \$schema=.*schema\/suite\.schema\.json\n/,
    );
    const validated = await runCli(["validate", path]);
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toContain("5 case(s)");
  });

  it("JSON answers: an extraction task scored field by field; free text: ROUGE-L", async () => {
    const rows = [
      { text: "Table for 4 at 7pm tomorrow", slots: { people: 4, time: "7pm", date: "tomorrow" } },
      { text: "Book 2 people on Friday", slots: { people: 2, date: "Friday" } },
    ];
    const summaries = [
      "paper,summary",
      "We study X and find Y in many settings,Y holds for X across settings",
      "A new method for Z beats baselines,A method for Z that beats the baselines",
    ].join("\n");
    const dir = dirWith({
      "slots.jsonl": rows.map((r) => JSON.stringify(r)).join("\n"),
      "tldr.csv": summaries,
    });
    const extract = await runCli(["init", "slots.jsonl", "--yes"], {}, false, dir);
    expect(extract.code, extract.stderr).toBe(0);
    expect(extract.stderr).toContain('answer column "slots", input column "text", task: extract');
    const task = parse(readFileSync(join(dir, "slots.suite.yaml"), "utf8")).tasks[0];
    expect(task.scorers[0]).toEqual({ type: "json_fields", extract_json: true });
    const generate = await runCli(["init", "tldr.csv", "--yes"], {}, false, dir);
    expect(generate.code, generate.stderr).toBe(0);
    expect(generate.stderr).toContain('answer column "summary", input column "paper", task: generate');
    expect(parse(readFileSync(join(dir, "tldr.suite.yaml"), "utf8")).tasks[0].scorers).toEqual(["rouge_l"]);
    for (const file of ["slots.suite.yaml", "tldr.suite.yaml"]) {
      const validated = await runCli(["validate", join(dir, file)]);
      expect(validated.code, `${file}: ${validated.stderr}`).toBe(0);
    }
  });

  it("takes the columns and the task given, and names the columns there are for a wrong one", async () => {
    const dir = dirWith({ "tickets.csv": tickets });
    const given = await runCli(
      [
        "init",
        "tickets.csv",
        "--answer",
        "ticket",
        "--input",
        "team",
        "--task",
        "generate",
        "--out",
        "x.yaml",
      ],
      {},
      false,
      dir,
    );
    expect(given.code, given.stderr).toBe(0);
    expect(given.stderr).toContain('answer column "ticket", input column "team", task: generate');
    const wrong = await runCli(
      ["init", "tickets.csv", "--answer", "nope", "--out", "y.yaml"],
      {},
      false,
      dir,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe('opbench: no column "nope": the columns are ticket, team\n');
  });
});

describe("opbench init without a file, and its refusals", () => {
  it("writes the commented example suite, which validates, and never overwrites without --force", async () => {
    const dir = dirWith({});
    const first = await runCli(["init"], {}, false, dir);
    expect(first.code, first.stderr).toBe(0);
    const path = join(dir, "suite.yaml");
    expect(readFileSync(path, "utf8")).toContain("# An example suite written by `opbench init`");
    expect((await runCli(["validate", path])).code).toBe(0);
    writeFileSync(path, "mine");
    const again = await runCli(["init"], {}, false, dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("suite.yaml exists: choose another --out, or --force to overwrite it");
    expect(readFileSync(path, "utf8")).toBe("mine");
    expect((await runCli(["init", "--force"], {}, false, dir)).code).toBe(0);
    expect(readFileSync(path, "utf8")).not.toBe("mine");
  });

  it("bad files: empty, no header row, not UTF-8, one column, not CSV or JSONL — exit 2 with the reason", async () => {
    const dir = dirWith({
      "empty.csv": "",
      "noheader.csv": "1,2\n3,4\n",
      "latin1.csv": Buffer.from("text,label\ncaf\xe9,x\n", "latin1"),
      "one.csv": "text\na\nb\n",
      "data.txt": "hello",
      "bad.jsonl": '{"a": 1}\nnot json\n',
    });
    const cases: [string, RegExp][] = [
      ["empty.csv", /empty\.csv is empty: it needs a header row and at least one row of data/],
      ["noheader.csv", /the first row looks like data, not column names: add a header row/],
      ["latin1.csv", /latin1\.csv:2:4: not UTF-8 text .*save it as UTF-8/],
      ["one.csv", /only one column \(text\): a suite needs an input column and an answer column/],
      ["data.txt", /give a \.csv file \(with a header row\) or a \.jsonl file/],
      ["bad.jsonl", /bad\.jsonl:2: not a JSON object/],
      ["missing.csv", /missing\.csv does not exist/],
    ];
    for (const [file, message] of cases) {
      const result = await runCli(["init", file, "--yes"], {}, false, dir);
      expect(result.code, `${file}: ${result.stderr}`).toBe(2);
      expect(result.stderr, file).toMatch(message);
      noTrace(result.stderr);
    }
  });

  it("a 200 MB file: only its head is read, and the suite says so", async () => {
    const dir = dirWith({});
    const path = join(dir, "big.csv");
    const row = `${"a long customer message about a card that did not arrive ".repeat(3)},card_arrival\n`;
    const block = row.repeat(Math.ceil(8_000_000 / row.length));
    writeFileSync(path, `text,label\n${block.repeat(25)}`);
    expect(statSync(path).size).toBeGreaterThan(200_000_000);
    const result = await runCli(["init", "big.csv", "--yes"], {}, false, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Note: the file is 2\d\d MB: its first 2000 rows were read/);
    expect(readFileSync(join(dir, "big.suite.yaml"), "utf8")).toContain("# Note: the file is");
  });
});
