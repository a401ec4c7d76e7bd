// `opbench --help` from a file beside the checkout's bundle: the text is what the bundle's yargs
// printed the first time, for the same terminal width and locale, so later calls print it
// without loading the CLI (~2/3 of the command's CPU time). The build folder is named by its
// content, so a changed CLI is a new folder without the file.
const { fstatSync, readFileSync, renameSync, writeFileSync, writeSync } = process.getBuiltinModule("node:fs");
const { fileURLToPath } = process.getBuiltinModule("node:url");

/**
 * Whether stdout is a pipe, file or socket: no terminal, so no width, and the text can be written
 * to fd 1 directly (`process.stdout` sets up stream modules: ~1/3 of this path's CPU time).
 */
function plainStdout() {
  try {
    const stat = fstatSync(1);
    return stat.isFIFO() || stat.isFile() || stat.isSocket();
  } catch {
    return false;
  }
}

/** The file that holds the help text for this terminal width and yargs's locale, beside `entryUrl`. */
function helpFile(entryUrl, plain) {
  const env = process.env;
  const locale = (env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || "en_US").replace(/[.:].*/, "");
  const columns = plain ? 0 : (process.stdout.columns ?? 0);
  const key = `${columns}-${locale}`.replace(/[^A-Za-z0-9_-]/g, "_");
  return fileURLToPath(new URL(`help-${key}.txt`, entryUrl));
}

/** Prints the stored help text; false when there is none yet. */
export function printStoredHelp(entryUrl) {
  const plain = plainStdout();
  let text;
  try {
    text = readFileSync(helpFile(entryUrl, plain), "utf8");
  } catch {
    return false;
  }
  if (plain) {
    try {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; ) at += writeSync(1, bytes, at);
      return true;
    } catch {
      // A non-blocking pipe that is full: the stream waits for it.
    }
  }
  process.stdout.write(text);
  return true;
}

/** Stores the help text the bundle printed (written whole, then renamed: starts may race). */
export function storeHelp(entryUrl, text) {
  const file = helpFile(entryUrl, plainStdout());
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, file);
  } catch {
    // A read-only cache: the next call prints it through yargs again.
  }
}
