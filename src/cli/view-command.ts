/**
 * `opbench view [dir]`: serves a run directory's report (writing report.html first when the run
 * has none) or a folder of static pages (a published site: its index.html) on 127.0.0.1, prints
 * the address, opens the browser where there is a display (and says so where there is not), and
 * stops on Ctrl-C. Only files inside the folder are served, read-only.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, realpathSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { REPORT_HTML_FILE } from "../../reports/html.ts";
import { EVENTS_FILE } from "../core/run-log.ts";

export interface ViewArgs {
  dir?: string | undefined;
  port?: number | undefined;
  open: boolean;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
};

/** The file a request path names inside `root`, or null (outside it, or not a file). */
export function fileFor(root: string, urlPath: string, index: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split(/[?#]/)[0] ?? "/");
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  const target = normalize(join(root, path.endsWith("/") ? `${path}${index}` : path));
  const inside = (p: string, base: string) =>
    p === base || p.startsWith(base.endsWith(sep) ? base : `${base}${sep}`);
  if (!inside(target, root)) return null;
  try {
    // A link inside the folder must not lead out of it.
    if (!inside(realpathSync(target), realpathSync(root))) return null;
    const stat = statSync(target);
    if (stat.isDirectory()) return fileFor(root, `${path}/`, "index.html");
    return stat.isFile() ? target : null;
  } catch {
    return null;
  }
}

/** Serves `root` on 127.0.0.1:`port` (0: a free one); `index` is what "/" shows. */
export async function serveFolder(root: string, index: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const file = fileFor(root, req.url ?? "/", index);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => done());
  });
  return server;
}

/** The command that opens a URL in the desktop's browser, or null where there is no display. */
function opener(): string | null {
  if (process.platform === "darwin") return "open";
  if (process.platform === "win32") return null;
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? "xdg-open" : null;
}

export async function viewCommand(args: ViewArgs): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const root = resolve(args.dir ?? ".");
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    say(`opbench: ${args.dir ?? "."} is not a directory: give a run directory or a published site`);
    return 2;
  }
  let index = "index.html";
  if (existsSync(join(root, EVENTS_FILE))) {
    index = REPORT_HTML_FILE;
    if (!existsSync(join(root, REPORT_HTML_FILE))) {
      // A run without its report (an older run, or one written with -o table): write it now.
      const { reportCommand } = await import("./report-command.ts");
      const code = await reportCommand({ runDirs: [root], format: ["html"] });
      if (code !== 0) return code;
    }
  } else if (!existsSync(join(root, "index.html"))) {
    say(
      `opbench: ${args.dir ?? "."} has neither ${EVENTS_FILE} (a run) nor index.html (a site): nothing to show`,
    );
    return 2;
  }
  let server: Server;
  try {
    server = await serveFolder(root, index, args.port ?? 0);
  } catch (error) {
    say(`opbench: cannot listen on 127.0.0.1:${args.port}: ${(error as Error).message}`);
    return 2;
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  process.stdout.write(`${url}\n`);
  say(`Serving ${root} at ${url} (Ctrl-C to stop)`);
  const command = args.open ? opener() : null;
  if (command) {
    spawn(command, [url], { stdio: "ignore", detached: true })
      .on("error", () => say(`Could not start ${command}: open ${url} in a browser`))
      .unref();
    say(`Opening it in the browser (${command})`);
  } else if (args.open) {
    say(`No display here: open ${url} in a browser`);
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.closeAllConnections();
      server.close(() => done());
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  say("Stopped.");
  return 0;
}
