/**
 * The CLI bundle reads an opbench source's imports of Node's built-ins with
 * `process.getBuiltinModule` in place (no chunk per built-in): the rewrite keeps every name, alias
 * and type, and leaves what it does not understand as it was. A chunk that never calls `require`
 * goes without the banner that makes one.
 */
import { describe, expect, it } from "vitest";
import { inlineBuiltinImports, withoutUnusedRequire } from "../../scripts/cli-bundle.ts";

describe("inlineBuiltinImports", () => {
  it("reads the imported names from the built-in, aliases as renames, types as a type import", () => {
    const source = [
      'import { type ChildProcess, execFile, spawn as start } from "node:child_process";',
      "import {",
      "  readFileSync,",
      "  statSync,",
      '} from "node:fs";',
      'import os from "node:os";',
      'import * as path from "node:path";',
      'import yargs from "yargs";',
      "const x = 1;",
    ].join("\n");
    expect(inlineBuiltinImports(source)).toBe(
      [
        'import type { ChildProcess } from "node:child_process"; const { execFile, spawn: start } = process.getBuiltinModule("node:child_process");',
        'const { readFileSync, statSync } = process.getBuiltinModule("node:fs");',
        'const os = process.getBuiltinModule("node:os");',
        'const path = process.getBuiltinModule("node:path");',
        'import yargs from "yargs";',
        "const x = 1;",
      ].join("\n"),
    );
  });

  it("leaves type-only imports, a default with names, and other modules as they are", () => {
    const source = [
      'import type { Worker } from "node:worker_threads";',
      'import { type Stats } from "node:fs";',
      'import util, { inspect } from "node:util";',
      'import { z } from "zod";',
    ].join("\n");
    const out = inlineBuiltinImports(source);
    expect(out).not.toContain("getBuiltinModule");
    expect(out).toContain('import type { Worker } from "node:worker_threads";');
    expect(out).toContain('import type { Stats } from "node:fs";');
    expect(out).toContain('import util, { inspect } from "node:util";');
  });

  it("leaves a comment among the names, a default by name and a binding named process as written", () => {
    const kept = [
      'import process from "node:process";',
      'import * as process from "node:process";',
      'import { env as process } from "node:process";',
      'import { default as fs } from "node:fs";',
      ["import {", "  type Stats, // the stat's shape", "  statSync,", '} from "node:fs";'].join("\n"),
      'import { /* read */ readFileSync } from "node:fs";',
    ];
    for (const statement of kept) expect(inlineBuiltinImports(statement), statement).toBe(statement);
    // Beside them, the others are still rewritten.
    expect(inlineBuiltinImports(`${kept[0]}\nimport { env } from "node:process";`)).toBe(
      `${kept[0]}\nconst { env } = process.getBuiltinModule("node:process");`,
    );
  });

  it("gives code that runs with the same values as the imports", async () => {
    const rewritten = inlineBuiltinImports(
      'import { join as joinPath, sep } from "node:path";\nimport * as os from "node:os";',
    );
    const values = new Function(`${rewritten}\nreturn [joinPath("a", "b"), sep, os.EOL];`)() as string[];
    const path = await import("node:path");
    const os = await import("node:os");
    expect(values).toEqual([path.join("a", "b"), path.sep, os.EOL]);
  });
});

describe("withoutUnusedRequire", () => {
  const banner =
    'import { createRequire as __opbenchRequire } from "node:module"; const require = __opbenchRequire(import.meta.url);';

  it("drops the banner of a chunk that never names require, keeps it for one that does", () => {
    expect(
      withoutUnusedRequire(`${banner}\n\n// a.ts\nvar required = "x is required";\nexport { required };\n`),
    ).toBe('\n// a.ts\nvar required = "x is required";\nexport { required };\n');
    const user = `${banner}\nvar __require = typeof require !== "undefined" ? require : null;\n`;
    expect(withoutUnusedRequire(user)).toBe(user);
    const resolver = `${banner}\nconst where = require.resolve("x");\n`;
    expect(withoutUnusedRequire(resolver)).toBe(resolver);
  });

  it("leaves a file without the banner as it is", () => {
    expect(withoutUnusedRequire("export const a = 1;\n")).toBe("export const a = 1;\n");
  });
});
