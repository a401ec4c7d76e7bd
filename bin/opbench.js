#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// The flags keep a long run's memory flat (and are no slower; see BENCHMARKS.md): a small young
// generation promotes less of the per-call garbage still in flight at each scavenge, and the old
// generation is collected at 1.5× its live size instead of letting promoted garbage grow it to ~4×.
// Entry point. In a checkout, Node (>= 22.19) runs the TypeScript sources directly (type
// stripping); an installed package runs the JavaScript that `npm pack` compiled into dist/.
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
const entry = installed ? "../dist/src/cli/main.js" : "../src/cli/main.ts";
const { main } = await import(new URL(entry, import.meta.url).href);
hooks?.deregister();
process.exitCode = await main(process.argv.slice(2));
