/**
 * A `custom` scorer's module reference, `file:./path.ts#export` (the path relative to the suite
 * file; `#export` defaults to `default`), the files the module may import (relative imports,
 * followed through each file: what the sandbox lets it read) and a check that the file names
 * the export, made from the text alone so no untrusted code runs when the suite loads.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

const REFERENCE = /^file:([^#]+)(?:#([A-Za-z_$][\w$]*))?$/;

export interface ModuleReference {
  /** Absolute path of the module file. */
  path: string;
  /** The export called, `default` when the reference names none. */
  exportName: string;
}

/** Parses a reference; a string saying what is wrong when it is malformed. */
export function parseModuleReference(reference: string, baseDir: string): ModuleReference | string {
  const match = REFERENCE.exec(reference);
  if (!match) return `"${reference}" is not a module reference`;
  return { path: resolve(baseDir, match[1]!), exportName: match[2] ?? "default" };
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;
/** Files followed before giving up (a module tree this large should run trusted). */
const MAX_FILES = 500;

/** The module and every file its relative imports reach (existing files only), module first. */
export function moduleFiles(path: string): string[] {
  const seen = new Set<string>([path]);
  const queue = [path];
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const file = queue.shift()!;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const target = resolve(dirname(file), match[1]!);
      if (seen.has(target) || !existsSync(target) || !statSync(target).isFile()) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return [...seen];
}

/** Why the module cannot provide the export (missing file, no such export), or undefined. */
export function moduleProblem({ path, exportName }: ModuleReference): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  // Re-exports could provide any name: leave those to the first score.
  if (/\bexport\s*\*/.test(text)) return undefined;
  const name = exportName.replace(/\$/g, "\\$");
  const patterns =
    exportName === "default"
      ? [/\bexport\s+default\b/, /\bexport\s*\{[^}]*\bas\s+default\b[^}]*\}/]
      : [
          new RegExp(`\\bexport\\s+(?:async\\s+)?function\\s*\\*?\\s*${name}(?![\\w$])`),
          new RegExp(`\\bexport\\s+(?:const|let|var)\\s+${name}(?![\\w$])`),
          new RegExp(`\\bexport\\s*\\{[^}]*(?<![\\w$])${name}(?![\\w$])[^}]*\\}`),
        ];
  if (patterns.some((pattern) => pattern.test(text))) return undefined;
  return `${path} has no export named "${exportName}"`;
}
