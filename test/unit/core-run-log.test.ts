/** The run log: one line per event, secrets masked, and the same masked events handed to its tap. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../src/core/records.ts";
import { CALL_FLUSH_BYTES, CALL_FLUSH_MS, RunLog, readRunLog } from "../../src/core/run-log.ts";
import { call as callRecord } from "../helpers/summary-log.ts";

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

  it("caps a load call's output as it caps a run's call (max_output_bytes), and leaves a short one as it is", () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-runlog-"));
    const log = new RunLog(dir, [], undefined, 16);
    const loadCall = (output: string) =>
      ({
        v: 1,
        type: "load_call",
        step: 0,
        seq: 0,
        intended_ms: 0,
        sent_ms: 0,
        done_ms: 1,
        dispatch_delay_ms: 0,
        in_flight: 1,
        call: callRecord("m", 0, { output }),
      }) as LogEvent;
    const long = loadCall("x".repeat(1000));
    const short = loadCall("fits");
    log.append(long);
    log.append(short);
    log.close();
    const [first, second] = readFileSync(join(dir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(first.call).toMatchObject({ output: "x".repeat(16), output_truncated: true, output_bytes: 1000 });
    expect(second.call.output).toBe("fits");
    expect(second.call.output_truncated).toBeUndefined();
  });

  it("writes call records together, within CALL_FLUSH_MS, and before any later event", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-runlog-"));
    const file = join(dir, "events.jsonl");
    const lines = () => readFileSync(file, "utf8").split("\n").filter(Boolean);
    const log = new RunLog(dir);
    const call = (n: number) => ({ v: 1, type: "judge_call", item: `i${n}` }) as unknown as LogEvent;
    log.append(call(1));
    log.append(call(2));
    expect(lines()).toHaveLength(0); // gathered, not yet written
    await new Promise((resolve) => setTimeout(resolve, CALL_FLUSH_MS + 50));
    expect(lines()).toHaveLength(2);
    log.append(call(3));
    log.append(end("after the third record")); // written at once, after the record before it
    expect(lines().map((line) => JSON.parse(line).item ?? JSON.parse(line).type)).toEqual([
      "i1",
      "i2",
      "i3",
      "run_end",
    ]);
    log.append(call(4));
    log.close();
    expect(lines()).toHaveLength(5);
  });

  it("writes gathered records byte for byte and in order: multi-byte text, a full batch, a line longer than any batch", () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-runlog-"));
    const log = new RunLog(dir, [], undefined, 4 << 20);
    const texts = [
      "plain",
      "é€😀 mixed, two to four UTF-8 bytes a character",
      "x".repeat(CALL_FLUSH_BYTES - 10), // fills a batch: written at once with those before it
      "after the full batch",
      "é".repeat(3 * CALL_FLUSH_BYTES), // longer than the gathering buffer can hold: written on its own
      "after the long line",
      ...Array.from({ length: 300 }, (_, i) => `${"€".repeat(i * 7)}${i}`), // lines across batch boundaries
    ];
    const events = texts.map(
      (text, i) => ({ v: 1, type: "judge_call", item: `i${i}`, text }) as unknown as LogEvent,
    );
    for (const event of events.slice(0, 4)) log.append(event);
    log.append(end("between")); // written after the records before it
    for (const event of events.slice(4)) log.append(event);
    log.close();
    const expected = [...events.slice(0, 4), end("between"), ...events.slice(4)];
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).toBe(
      expected.map((event) => `${JSON.stringify(event)}\n`).join(""),
    );
  });

  it("writes the call records still gathered when the process exits without closing the log", () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-runlog-"));
    const module = new URL("../../src/core/run-log.ts", import.meta.url).href;
    const script = `
      const { RunLog } = await import(${JSON.stringify(module)});
      const log = new RunLog(${JSON.stringify(dir)});
      log.append({ v: 1, type: "judge_call", item: "last" });
      process.exit(3);
    `;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.status, child.stderr).toBe(3);
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).toContain('"item":"last"');
  });
});

describe("readRunLog", () => {
  it("reads CRLF and LF lines, a line over several read chunks, and skips blank, bad and torn lines by number", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-runlog-"));
    // 3 MB of two-byte characters: the line spans several 1 MiB reads, some cut inside a character.
    const long = `${"é".repeat(1_500_000)}€`;
    const lines = [
      '{"n":1}\r',
      "",
      '{"n":2}',
      "not json",
      JSON.stringify({ n: 3, long }),
      '{"n":4}',
      '{"torn":',
    ];
    writeFileSync(join(dir, "events.jsonl"), lines.join("\n"));
    const skipped: number[] = [];
    const read: unknown[] = [];
    for await (const event of readRunLog(dir, (line) => skipped.push(line))) read.push(event);
    expect(read).toEqual([{ n: 1 }, { n: 2 }, { n: 3, long }, { n: 4 }]);
    expect(skipped).toEqual([4, 7]);
    const kept: unknown[] = [];
    for await (const event of readRunLog(dir, undefined, (line) => line.includes('"n":2'))) kept.push(event);
    expect(kept).toEqual([{ n: 2 }]);
  });
});
