// Finds the checkout's CLI bundle that scripts/cli-bundle.ts built, if every file it was built
// from is unchanged: plain JavaScript, so a start that runs the bundle strips no TypeScript.
// The cache folder and manifest are laid out as scripts/cli-bundle.ts writes them.
// Node's CommonJS objects, not `import`: an ES import of node:fs makes Node read all of fs,
// fs.promises and the ~30 modules behind it included.
const { readFileSync, statSync } = process.getBuiltinModule("node:fs");
const { join, resolve } = process.getBuiltinModule("node:path");
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule("node:url");

const MANIFEST_VERSION = 1;

/** The URL of the current bundle's entry module, or undefined when it is missing or stale. */
export function freshBundle() {
  const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
  const cacheDir = join(root, "node_modules", ".cache", "opbench", root.replace(/[^A-Za-z0-9._-]+/g, "_"));
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(cacheDir, "current.json"), "utf8"));
  } catch {
    return undefined;
  }
  if (manifest.version !== MANIFEST_VERSION) return undefined;
  for (const [path, mtimeMs, size] of manifest.inputs) {
    const now = statSync(path, { throwIfNoEntry: false });
    if (!now || now.mtimeMs !== mtimeMs || now.size !== size) return undefined;
  }
  return pathToFileURL(join(cacheDir, manifest.build, "main.js")).href;
}
