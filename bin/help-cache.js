// `opbench --help` from a file beside the checkout's bundle: the text is what the bundle's yargs
// printed the first time, for the same terminal width and locale, so later calls print it
// without loading the CLI (~2/3 of the command's CPU time). The build folder is named by its
// content, so a changed CLI is a new folder without the file.
const { readFileSync, renameSync, writeFileSync } = process.getBuiltinModule("node:fs");
const { fileURLToPath } = process.getBuiltinModule("node:url");

/** The file that holds the help text for this terminal width and yargs's locale, beside `entryUrl`. */
function helpFile(entryUrl) {
  const env = process.env;
  const locale = (env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || "en_US").replace(/[.:].*/, "");
  const key = `${process.stdout.columns ?? 0}-${locale}`.replace(/[^A-Za-z0-9_-]/g, "_");
  return fileURLToPath(new URL(`help-${key}.txt`, entryUrl));
}

/** The stored help text, or undefined when there is none yet. */
export function storedHelp(entryUrl) {
  try {
    return readFileSync(helpFile(entryUrl), "utf8");
  } catch {
    return undefined;
  }
}

/** Stores the help text the bundle printed (written whole, then renamed: starts may race). */
export function storeHelp(entryUrl, text) {
  const file = helpFile(entryUrl);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, file);
  } catch {
    // A read-only cache: the next call prints it through yargs again.
  }
}
