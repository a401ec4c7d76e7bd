/**
 * The CLI as one bundle (esbuild): resolving and compiling ~500 modules one by one is most of a
 * short command's start-up. In a checkout, bin/opbench.js runs the bundle of the sources as they
 * are now: bin/fresh-bundle.js finds it when no file it was built from changed, else
 * `currentBundle()` rebuilds it (so a source edit is always picked up) into
 * node_modules/.cache/opbench/<checkout>/, one folder per build named by its content, published
 * by renaming a manifest into place (many processes may start the CLI at once; each sees a whole
 * old or a whole new bundle). `npm pack` runs `node scripts/cli-bundle.ts --dist`, which writes
 * dist/cli/ for the installed package.
 *
 * Each module's `import.meta.url` (and a CommonJS module's `__dirname` / `__filename`) is
 * replaced by where that module lives, so worker files, data files and `createRequire` resolve
 * as they do from the sources.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ENTRY = join(ROOT, "src", "cli", "main.ts");
const TEXT_WIDTH = join(ROOT, "bin", "text-width.js");
/** Files whose change changes the bundle besides its inputs: this builder and the compiler options. */
const BUILD_FILES = [fileURLToPath(import.meta.url), join(ROOT, "tsconfig.json"), TEXT_WIDTH];
/**
 * Packages loaded from node_modules at run time, not bundled: native code (node-llama-cpp), the
 * chart libraries the HTML report reads as files, and undici, which runners/http.ts loads part by part.
 */
const EXTERNAL = ["node-llama-cpp", "vega", "vega-lite", "vega-embed", "playwright-core", "undici"];
const MANIFEST_VERSION = 1;
/**
 * Builds older than this, other than the current one, are removed when a new one is published:
 * a run started from an older build loads its commands' chunks as they run, maybe hours later.
 */
const STALE_BUILD_MS = 24 * 3600_000;

/** A bundle input as it was when built: path (absolute), mtime (ms), size. */
type InputStamp = [string, number, number];

interface Manifest {
  version: number;
  /** The build's folder name inside the cache folder. */
  build: string;
  inputs: InputStamp[];
}

/**
 * Where this checkout's bundles live: node_modules may be shared by several checkouts (worktrees).
 * bin/fresh-bundle.js reads the same folder and manifest at every start.
 */
export function bundleCacheDir(root = ROOT): string {
  const checkout = resolve(root).replace(/[^A-Za-z0-9._-]+/g, "_");
  return join(root, "node_modules", ".cache", "opbench", checkout);
}

/**
 * The file whose stamp stands for a bundled file: itself, or for a dependency its package's
 * package.json, which installing any other version of it rewrites (one stat per package, not per
 * module, keeps the check at every start short).
 */
function stampedFile(path: string): string {
  const match = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(path);
  return match ? join(match[1]!, "package.json") : path;
}

function stamp(path: string): InputStamp | undefined {
  try {
    const s = statSync(path);
    return [path, s.mtimeMs, s.size];
  } catch {
    return undefined;
  }
}

function readManifest(cacheDir: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(cacheDir, "current.json"), "utf8")) as Manifest;
    return manifest.version === MANIFEST_VERSION ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** Whether every input is as it was when the manifest's build was made. */
function isFresh(manifest: Manifest): boolean {
  for (const [path, mtimeMs, size] of manifest.inputs) {
    const now = stamp(path);
    if (!now || now[1] !== mtimeMs || now[2] !== size) return false;
  }
  return true;
}

/**
 * The URL of the current bundle's entry module, rebuilt first when stale or missing.
 * @throws Error when the sources do not build (the caller runs them directly, to show the error)
 */
export async function currentBundle(cacheDir = bundleCacheDir()): Promise<string> {
  const manifest = readManifest(cacheDir);
  if (manifest && isFresh(manifest)) return entryUrl(cacheDir, manifest.build);
  const built = await buildCheckoutBundle(cacheDir);
  return entryUrl(cacheDir, built.build);
}

function entryUrl(cacheDir: string, build: string): string {
  return pathToFileURL(join(cacheDir, build, "main.js")).href;
}

/** Builds the bundle of the sources as they are now and publishes it; returns its manifest. */
export async function buildCheckoutBundle(cacheDir = bundleCacheDir()): Promise<Manifest> {
  mkdirSync(cacheDir, { recursive: true });
  const temp = join(cacheDir, `tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  // Stamped before building: a file edited during the build makes the next start rebuild.
  const before = new Map<string, InputStamp | undefined>();
  let inputs: string[];
  try {
    inputs = await bundle(temp, (file) => JSON.stringify(pathToFileURL(file).href), true, before);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  // Without a package.json of its own, each chunk (under node_modules/, beyond the checkout's
  // "type": "module") would be parsed as CommonJS first, then as an ES module.
  writeFileSync(join(temp, "package.json"), '{ "type": "module" }\n');
  const build = `b-${await contentHash(temp)}`;
  try {
    renameSync(temp, join(cacheDir, build));
  } catch {
    // Another process published the same build first.
    rmSync(temp, { recursive: true, force: true });
  }
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    build,
    // A missing file gets a stamp no file has, so the next start rebuilds.
    inputs: [...new Set([...inputs.map(stampedFile), ...BUILD_FILES])].map(
      (path) => before.get(path) ?? stamp(path) ?? [path, -1, -1],
    ),
  };
  const manifestTemp = join(cacheDir, `current.json.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(manifestTemp, JSON.stringify(manifest));
  renameSync(manifestTemp, join(cacheDir, "current.json"));
  removeOldBuilds(cacheDir, build);
  return manifest;
}

async function contentHash(dir: string): Promise<string> {
  const hash = (await import("node:crypto")).createHash("sha256");
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest("hex").slice(0, 16);
}

function removeOldBuilds(cacheDir: string, current: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (name === current || name === "current.json") continue;
    const path = join(cacheDir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_BUILD_MS)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process.
    }
  }
}

/**
 * Runs esbuild into `outdir` (an entry `main.js` plus the commands' chunks, loaded when a command
 * runs). `urlOf` gives the expression that stands for a module's `import.meta.url`;
 * `bundlePackages`: dependencies go into the bundle too (a checkout, where their paths are known),
 * else they stay imports. Returns the absolute paths of the files bundled.
 */
async function bundle(
  outdir: string,
  urlOf: (file: string) => string,
  bundlePackages: boolean,
  stamps?: Map<string, InputStamp | undefined>,
): Promise<string[]> {
  const esbuild = await import("esbuild");
  const located: import("esbuild").Plugin = {
    name: "module-location",
    setup(build) {
      // yargs's string-width, as bin/opbench.js swaps it when running from the sources; and
      // cli-table3's (`require`d), whose emoji tables the one-row table of a run need not load.
      build.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData === "real" || (args.kind !== "import-statement" && args.kind !== "require-call"))
          return undefined;
        const real = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: "real",
        });
        if (real.errors.length > 0) return undefined;
        return { path: real.path, namespace: args.kind === "require-call" ? "text-width-cjs" : "text-width" };
      });
      // `require("string-width")` gets the function itself, as from the package.
      build.onLoad({ filter: /.*/, namespace: "text-width-cjs" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`text-width-esm:${args.path}`)}).default;`,
        loader: "js",
      }));
      build.onResolve({ filter: /^text-width-esm:/ }, (args) => ({
        path: args.path.slice("text-width-esm:".length),
        namespace: "text-width",
      }));
      build.onLoad({ filter: /.*/, namespace: "text-width" }, (args) => {
        const of = `${pathToFileURL(TEXT_WIDTH).href}?of=${encodeURIComponent(pathToFileURL(args.path).href)}`;
        const source = readFileSync(TEXT_WIDTH, "utf8").replaceAll("import.meta.url", JSON.stringify(of));
        return { contents: source, loader: "js", resolveDir: dirname(TEXT_WIDTH) };
      });
      // zod's classic API re-exports every message locale (~60 modules, ~40% of zod's code),
      // loaded with every suite; opbench uses only English, which zod configures itself.
      build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => {
        const stamped = stampedFile(args.path);
        if (!stamps?.has(stamped)) stamps?.set(stamped, stamp(stamped));
        return {
          contents: 'export { default as en } from "./en.js";\n',
          loader: "js",
          resolveDir: dirname(args.path),
        };
      });
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const stamped = stampedFile(args.path);
        if (!stamps?.has(stamped)) stamps?.set(stamped, stamp(stamped));
        const source = readFileSync(args.path, "utf8");
        let contents = source.includes("import.meta.url")
          ? source.replaceAll("import.meta.url", urlOf(args.path))
          : source;
        if (!args.path.includes(`${sep}node_modules${sep}`)) contents = inlineBuiltinImports(contents);
        if (
          /\b__(dirname|filename)\b/.test(contents) &&
          !/\b(const|let|var|function)\s+__(dirname|filename)\b/.test(contents)
        ) {
          const file = JSON.stringify(args.path);
          contents = `var __filename = ${file}, __dirname = ${JSON.stringify(dirname(args.path))};\n${contents}`;
        }
        if (contents === source) return undefined;
        const loader = args.path.endsWith("ts") ? "ts" : "js";
        return { contents, loader, resolveDir: dirname(args.path) };
      });
    },
  };
  const builtins: import("esbuild").Plugin = {
    name: "builtin-getters",
    setup(build) {
      // `import { readFileSync } from "node:fs"` makes Node build the ES module face of all of
      // `fs`, reading every export (fs.promises loads streams, readline, ...: ~35 modules, for
      // assert and util too); process.getBuiltinModule hands over the CommonJS object, and only
      // the names a bundle uses are read from it.
      build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
        if (args.kind !== "import-statement" || !isBuiltin(args.path)) return undefined;
        return { path: args.path.replace(/^node:/, ""), namespace: "builtin" };
      });
      build.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => {
        const names = Object.keys(process.getBuiltinModule(args.path) as object).filter(
          (name) =>
            /^[A-Za-z_$][\w$]*$/.test(name) && !["default", "__builtin", "__builtinExport"].includes(name),
        );
        const contents = [
          `const __builtin = process.getBuiltinModule(${JSON.stringify(args.path)});`,
          "const __builtinExport = (name) => __builtin[name];",
          "export default __builtin;",
          ...names.map(
            (name) => `export const ${name} = /* @__PURE__ */ __builtinExport(${JSON.stringify(name)});`,
          ),
        ].join("\n");
        return { contents, loader: "js" };
      });
    },
  };
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: ENTRY },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    logLevel: "silent",
    metafile: true,
    chunkNames: "chunk-[hash]",
    ...(bundlePackages ? { external: EXTERNAL } : { packages: "external" as const }),
    // CommonJS dependencies inside an ES module bundle call `require` for Node's built-ins.
    banner: { js: REQUIRE_BANNER },
    plugins: [located, builtins],
  });
  // A chunk that never calls `require` does without the banner's `createRequire` (each costs
  // ~0.05–0.1 ms at start-up, for every one of a run's ~60 chunks).
  for (const output of Object.keys(result.metafile.outputs)) {
    if (!output.endsWith(".js")) continue;
    const file = resolve(ROOT, output);
    const text = readFileSync(file, "utf8");
    const stripped = withoutUnusedRequire(text);
    if (stripped !== text) writeFileSync(file, stripped);
  }
  return Object.keys(result.metafile.inputs)
    .filter((input) => !input.includes(":"))
    .map((input) => join(ROOT, input));
}

/** What every chunk starts with: CommonJS dependencies in an ES module bundle call `require`. */
const REQUIRE_BANNER =
  'import { createRequire as __opbenchRequire } from "node:module"; const require = __opbenchRequire(import.meta.url);';

/** A chunk without its `require` banner when nothing after it names `require` (a word, anywhere). */
export function withoutUnusedRequire(chunk: string): string {
  if (!chunk.startsWith(REQUIRE_BANNER)) return chunk;
  const rest = chunk.slice(REQUIRE_BANNER.length);
  return /\brequire\b/.test(rest) ? chunk : rest.replace(/^\n/, "");
}

const BUILTIN_IMPORT = /^import\s+(\*\s+as\s+[\w$]+|[\w$]+|\{[^}]*\})\s+from\s+"(node:[\w/]+)";?[ \t]*$/gm;

/**
 * An opbench source's value imports of Node's built-ins as `process.getBuiltinModule` reads in
 * place: esbuild would make each built-in imported by several chunks a chunk of its own (~15 of a
 * run's ~65), each a module for Node's loader to resolve, read and link at every start. Only the
 * names imported are read from the module (as the builtin plugin below does); type-only names
 * stay an `import type`, which esbuild drops.
 */
export function inlineBuiltinImports(source: string): string {
  return source.replace(BUILTIN_IMPORT, (statement, what: string, specifier: string) => {
    const get = `process.getBuiltinModule(${JSON.stringify(specifier)})`;
    // Left as written: a comment among the names (joined onto one line it would swallow the
    // rest), a default import by name, and a local binding named `process` (read in its own
    // initialiser).
    if (/\/[/*]/.test(what)) return statement;
    if (!what.startsWith("{")) {
      const local = what.replace(/^\*\s+as\s+/, "");
      return local === "process" ? statement : `const ${local} = ${get};`;
    }
    const names = what
      .slice(1, -1)
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
    const types = names.filter((name) => name.startsWith("type "));
    const values = names
      .filter((name) => !name.startsWith("type "))
      .map((name) => name.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, "$1: $2"));
    if (values.some((name) => !/^[\w$]+(: [\w$]+)?$/.test(name))) return statement;
    const binds = (name: string, local: string) =>
      name === local || name.startsWith(`${local}:`) || name.endsWith(`: ${local}`);
    if (values.some((name) => binds(name, "default") || binds(name, "process"))) return statement;
    const typeImport =
      types.length > 0
        ? `import type { ${types.map((t) => t.slice(5)).join(", ")} } from "${specifier}"; `
        : "";
    return `${typeImport}${values.length > 0 ? `const { ${values.join(", ")} } = ${get};` : ""}`;
  });
}

/** The installed package's bundle: dist/cli/, beside the compiled modules of dist/ that workers run. */
export async function buildDistBundle(): Promise<void> {
  const outdir = join(ROOT, "dist", "cli");
  rmSync(outdir, { recursive: true, force: true });
  await bundle(
    outdir,
    (file) => {
      const compiled = relative(outdir, join(ROOT, "dist", relative(ROOT, file))).replace(/\.ts$/, ".js");
      return `new URL(${JSON.stringify(compiled.split(sep).join("/"))}, import.meta.url).href`;
    },
    false,
  );
}

if (import.meta.main) {
  if (process.argv.includes("--dist")) await buildDistBundle();
  else console.log(fileURLToPath(await currentBundle()));
}
