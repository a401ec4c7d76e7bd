/**
 * The sample `init --from` draws (seeded, stratified, duplicates as weights; flat memory on a
 * million lines is test/integration/replay-flat-memory.test.ts) and `--redact` (each kind found,
 * checksums honoured, the same value → the same placeholder, custom patterns).
 */
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeSyntheticLog } from "../../scripts/bench/lib/replay-log.ts";
import { sampleLog } from "../../src/replay/build-replay.ts";
import { ibanValid, luhnValid, Redactor } from "../../src/replay/redact.ts";

describe("init --from sample", () => {
  it("is seeded, covers every stratum, and weighs exact duplicates by their count in the log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-replay-"));
    const log = join(dir, "log.jsonl");
    await writeSyntheticLog(log, 7000);
    const a = await sampleLog([log], undefined, 60, 1);
    const b = await sampleLog([log], undefined, 60, 1);
    const c = await sampleLog([log], undefined, 60, 2);
    const ids = (s: typeof a) => s.sampler.result().map((x) => x.call.answer.id);
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).not.toEqual(ids(c));
    const result = a.sampler.result();
    expect(result).toHaveLength(60);
    const strata = a.sampler.counts().strata;
    expect(new Set(result.map((r) => r.stratum))).toEqual(new Set(strata.keys()));
    expect([...strata.values()].reduce((x, y) => x + y, 0)).toBe(7000);
    // 3 models × with/without tools (every length is in the first bucket).
    expect(strata.size).toBe(6);
    expect(result.some((r) => r.call.tools?.[0]?.name === "lookup")).toBe(true);
    // Every 7th line repeats the line 6 before it: those requests were seen twice.
    for (const r of result) {
      const n = Number(r.call.answer.id!.slice("chatcmpl-".length));
      expect(r.weight).toBe(n % 7 === 0 ? 2 : 1);
    }
    expect(result.some((r) => r.weight === 2)).toBe(true);
  });
});

describe("--redact", () => {
  it("replaces each kind, consistently, and counts what it replaced", () => {
    const r = new Redactor(["ORDER-\\d+"]);
    const text = r.text(
      "Mail jane.doe@example.com or JANE@x.org, call +44 20 7946 0958, card 4111 1111 1111 1111, " +
        "IBAN GB82 WEST 1234 5698 7654 32, from 192.168.1.20 and 2001:db8::1 about ORDER-991; again jane.doe@example.com",
    );
    expect(text).toBe(
      "Mail <EMAIL_1> or <EMAIL_2>, call <PHONE_1>, card <CARD_1>, IBAN <IBAN_1>, from <IP_2> and <IP_1> about <CUSTOM_1>; again <EMAIL_1>",
    );
    expect(r.report()).toEqual({
      replaced: { CUSTOM: 1, EMAIL: 3, IBAN: 1, CARD: 1, IP: 2, PHONE: 1 },
      distinct_values: { CUSTOM: 1, EMAIL: 2, IBAN: 1, CARD: 1, IP: 2, PHONE: 1 },
    });
  });

  it("leaves numbers that fail their checksum, dates, times and version numbers alone", () => {
    const r = new Redactor();
    const text =
      "card 4111 1111 1111 1112, IBAN GB00WEST12345698765432, on 2024-05-01 at 10:30:00, v1.2.3, 999.1.1.1";
    expect(r.text(text)).toBe(text);
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(ibanValid("DE89370400440532013000")).toBe(true);
  });

  it("redacts every string of a call except identity fields", () => {
    const r = new Redactor();
    const call = {
      model: "gpt-4.1",
      messages: [{ role: "user", content: "a@b.co" }],
      answer: { output: "hi a@b.co", id: "x" },
    };
    expect(r.value(call)).toEqual({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "<EMAIL_1>" }],
      answer: { output: "hi <EMAIL_1>", id: "x" },
    });
  });
});

describe("init --from sample in sampling threads", () => {
  it("is the same sample, weights, strata and counts as one thread reading the whole log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-replay-threads-"));
    const log = join(dir, "log.jsonl");
    await writeSyntheticLog(log, 7000);
    // A truncated last line and a malformed one, counted wherever they land.
    appendFileSync(log, 'not json\n{"request": {"model": "gpt-4.1", "messages": [{"role": "user"');
    const view = (s: Awaited<ReturnType<typeof sampleLog>>) => ({
      lines: s.stats.lines,
      calls: s.stats.calls,
      skipped: Object.fromEntries(s.stats.skipped),
      strata: Object.fromEntries(s.sampler.counts().strata),
      sample: s.sampler.result().map((r) => [r.call.answer.id, r.weight, r.stratum, r.priority]),
    });
    const alone = view(await sampleLog([log], undefined, 60, 3, { threads: 0 }));
    // Small chunks across three threads: duplicates and strata are split between them.
    const threaded = view(
      await sampleLog([log], undefined, 60, 3, { threads: 3, chunkBytes: 20_000, minBytes: 0 }),
    );
    expect(threaded).toEqual(alone);
    expect(alone.lines).toBe(7002);
    expect(alone.skipped).toEqual({ "malformed line": 1, "truncated last line": 1 });
    expect(alone.sample.some(([, weight]) => weight === 2)).toBe(true);
  });
});
