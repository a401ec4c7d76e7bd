#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// The flags keep a long run's memory flat (and are no slower; see BENCHMARKS.md): a small young
// generation promotes less of the per-call garbage still in flight at each scavenge, and the old
// generation is collected at 1.5× its live size instead of letting promoted garbage grow it to ~4×.
// Entry point. An installed package runs the bundle `npm pack` wrote into dist/cli/. A checkout
// runs a bundle of its sources as they are now (scripts/cli-bundle.ts: rebuilt when a source
// changed), or with OPBENCH_FROM_SOURCES=1 the TypeScript sources themselves (type stripping).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    `opbench needs Node.js >= 22.19 (this is ${process.version}). In a checkout, run it through npm ` +
      "(npx opbench / npm test), which puts the project's pinned Node 24 first on PATH.",
  );
  process.exit(2);
}
const nodeModule = await import("node:module");
// Cache compiled (and type-stripped) modules between runs: startup time and memory both halve.
nodeModule.enableCompileCache?.();
// yargs's text-width package costs ~100 ms to load; text-width.js measures plain text itself.
// The hook is removed once the CLI's modules are loaded: a resolve hook slows every later import.
const textWidth = new URL("text-width.js", import.meta.url).href;
const hooks = nodeModule.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return specifier === "string-width" && context.conditions?.includes("import")
      ? { ...resolved, url: `${textWidth}?of=${encodeURIComponent(resolved.url)}`, shortCircuit: true }
      : resolved;
  },
});
const installed = import.meta.url.includes("/node_modules/");
const args = process.argv.slice(2);
const entry = installed ? new URL("../dist/cli/main.js", import.meta.url).href : await checkoutEntry();
// The checkout's bundle keeps the text `--help` printed beside it (bin/help-cache.js).
const helpCache =
  !installed && args.length === 1 && (args[0] === "--help" || args[0] === "-h") && !entry.endsWith(".ts")
    ? await import("./help-cache.js")
    : undefined;
if (helpCache?.printStoredHelp(entry)) {
  hooks?.deregister();
} else {
  const { main } = await import(entry);
  hooks?.deregister();
  // yargs exits the process once help is printed.
  if (helpCache) {
    const printed = captureStdout();
    process.once("exit", (code) => {
      if (code === 0) helpCache.storeHelp(entry, printed.stop());
    });
  }
  process.exitCode = await main(args);
  // A run's last allocations start the GC's incremental marking, which Node finishes before it
  // exits (20–50 ms of a one-case run, freeing what the exit frees anyway): a finished run exits
  // as soon as what it wrote to stdout and stderr is out.
  if (args[0] === "run") await exitOnceWritten();
}

/** Exits (with `process.exitCode`) once everything written to stdout and stderr has been handed on. */
async function exitOnceWritten() {
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write("", done))),
  );
  process.exit();
}

/** Collects what is written to stdout (still writing it) until `stop()`, which returns it. */
function captureStdout() {
  const write = process.stdout.write;
  const parts = [];
  process.stdout.write = function (chunk, ...rest) {
    parts.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return write.call(this, chunk, ...rest);
  };
  return {
    stop() {
      process.stdout.write = write;
      return parts.join("");
    },
  };
}

/** The checkout's module to run: the fresh bundle, or the sources when asked or when it cannot be built. */
async function checkoutEntry() {
  const sources = new URL("../src/cli/main.ts", import.meta.url).href;
  if (process.env.OPBENCH_FROM_SOURCES === "1") return sources;
  const { freshBundle } = await import("./fresh-bundle.js");
  const fresh = freshBundle();
  if (fresh) return fresh;
  try {
    const { currentBundle } = await import(new URL("../scripts/cli-bundle.ts", import.meta.url).href);
    return await currentBundle();
  } catch {
    // A source that does not build: running the sources shows its error as Node reports it.
    return sources;
  }
}
