/**
 * The pid listening on a port, read from a /proc tree written here: the socket's inode in
 * net/tcp (read up to its first socket that is not listening, as Linux lists listening sockets
 * first), then the fd link that points at it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listeningPid } from "../../src/host/listening-process.ts";

const root = mkdtempSync(join(tmpdir(), "opbench-proc-"));
const HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
/** A /proc/net/tcp line: local port, state (0A listening, 01 established, 06 TIME_WAIT), inode. */
const line = (sl: number, port: number, state: string, inode: number) =>
  `  ${sl}: 0100007F:${port.toString(16).toUpperCase().padStart(4, "0")} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

function writeProc(tcpLines: string[], links: Record<number, string[]>): string {
  const dir = mkdtempSync(join(root, "proc-"));
  mkdirSync(join(dir, "net"));
  writeFileSync(join(dir, "net", "tcp"), `${[HEADER, ...tcpLines].join("\n")}\n`);
  writeFileSync(join(dir, "net", "tcp6"), `${HEADER}\n`);
  for (const [pid, targets] of Object.entries(links)) {
    mkdirSync(join(dir, pid, "fd"), { recursive: true });
    for (const [fd, target] of targets.entries()) symlinkSync(target, join(dir, pid, "fd", String(fd)));
  }
  return dir;
}

describe("listeningPid", () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finds the process holding the listening socket, not one holding a connection to it", async () => {
    const proc = writeProc(
      [line(0, 8080, "0A", 781461), line(1, 2024, "0A", 1248), line(2, 8080, "01", 5555)],
      { 7: ["/dev/null", "socket:[5555]"], 12: ["/dev/null", "pipe:[1]", "socket:[781461]"] },
    );
    expect(await listeningPid(8080, proc)).toBe(12);
    expect(await listeningPid(2024, proc)).toBeUndefined(); // listening, but no process holds it
    expect(await listeningPid(9999, proc)).toBeUndefined();
  });

  it("reads past 16 KB of listening sockets, and stops at the first socket that is not listening", async () => {
    const listening = Array.from({ length: 400 }, (_, i) => line(i, 10_000 + i, "0A", 100_000 + i));
    const proc = writeProc([...listening, line(400, 20_000, "06", 1), line(401, 30_000, "0A", 300_000)], {
      40: ["socket:[100399]"],
      41: ["socket:[300000]"],
    });
    expect(await listeningPid(10_399, proc)).toBe(40);
    // Linux never lists a listening socket after the others: one there is not looked for.
    expect(await listeningPid(30_000, proc)).toBeUndefined();
  });

  it("finds nothing where /proc cannot be read", async () => {
    expect(await listeningPid(8080, join(root, "no-such-proc"))).toBeUndefined();
  });
});
