/** A suite file that is not UTF-8 text gets one clear error, not a pile of YAML syntax errors. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SuiteError } from "../../src/suite/errors.ts";
import { loadSuite } from "../../src/suite/load.ts";
import { decodeUtf8Text } from "../../src/suite/utf8-text.ts";

const SUITE = [
  "name: s",
  "models:",
  "  - {id: m, runner: openai, model: gpt-4.1-mini}",
  "tasks:",
  "  - {id: t, prompt: '{{q}}', dataset: [{q: 1, expected: '1'}]}",
  "",
].join("\n");

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

function suiteFile(content: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), "opbench-utf8-")), "suite.yaml");
  writeFileSync(path, content);
  return path;
}

async function issuesOf(content: Uint8Array) {
  const path = suiteFile(content);
  const error = await loadSuite(path).then(
    () => expect.unreachable("the suite loaded"),
    (e: unknown) => e as SuiteError,
  );
  return { path, issues: error.issues };
}

describe("suite files that are not UTF-8 text", () => {
  it("reports invalid UTF-8 once, at its line and column, with its byte offset", async () => {
    const { path, issues } = await issuesOf(bytes("name: s\nmodels: caf", [0xe9], "\n", [0xff, 0xfe, 0x00]));
    expect(issues).toEqual([
      {
        file: path,
        line: 2,
        column: 12,
        key: "",
        message:
          "not a UTF-8 text file (invalid UTF-8 byte 0xE9 at byte offset 19); a suite is a UTF-8 YAML file",
      },
    ]);
  });

  it("reports a NUL byte, and a UTF-16 file by its byte-order mark", async () => {
    const nul = await issuesOf(bytes("name: é", [0], "x\n"));
    expect(nul.issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "1:8 not a UTF-8 text file (NUL byte at byte offset 8); a suite is a UTF-8 YAML file",
    ]);
    const utf16 = await issuesOf(bytes([0xff, 0xfe], ...[...SUITE].map((c) => [c.charCodeAt(0), 0])));
    expect(utf16.issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "1:1 not a UTF-8 text file (UTF-16LE byte-order mark at byte offset 0); a suite is a UTF-8 YAML file",
    ]);
  });

  it("loads a UTF-8 suite with a byte-order mark, or with U+FFFD written in it", async () => {
    const withBom = await loadSuite(suiteFile(bytes([0xef, 0xbb, 0xbf], SUITE)));
    expect(withBom.name).toBe("s");
    const withReplacement = await loadSuite(suiteFile(bytes(`# \uFFFD\n${SUITE}`)));
    expect(withReplacement.name).toBe("s");
  });

  it("finds the first invalid byte after valid U+FFFD characters and multi-byte text", () => {
    expect(decodeUtf8Text(bytes("a: \uFFFD\u20AC\nb: \uFFFD", [0xc3]))).toEqual({
      ok: false,
      problem: { reason: "invalid UTF-8 byte 0xC3", byte: 16, line: 2, column: 5 },
    });
  });
});
