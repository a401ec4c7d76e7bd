/** The run log: one line per event, secrets masked, and the same masked events handed to its tap. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../src/core/records.ts";
import { RunLog, readRunLog } from "../../src/core/run-log.ts";

const SECRET = "sk-test-0123456789abcdef";
const end = (message: string): LogEvent => ({
  v: 1,
  type: "run_end",
  at: "2026-11-23T00:00:00.000Z",
  status: "completed",
  message,
});

describe("RunLog", () => {
  it("masks secrets in the file and in what its tap sees; passes unmasked events through as they are", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-runlog-"));
    const tapped: LogEvent[] = [];
    const log = new RunLog(dir, [SECRET], (event) => tapped.push(event));
    const plain = end("nothing to hide");
    log.append(plain);
    log.append(end(`key ${SECRET} echoed`));
    log.close();
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).not.toContain(SECRET);
    expect(tapped[0]).toBe(plain); // no secret in it: the very object, not a copy
    expect(tapped[1]).toMatchObject({ message: "key [REDACTED] echoed" });
    const read: LogEvent[] = [];
    for await (const event of readRunLog(dir)) read.push(event);
    expect(read).toEqual(tapped);
  });
});
