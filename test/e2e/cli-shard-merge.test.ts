/**
 * Scale-out through the CLI: a run split with `--shard i/4` (one shard through `auto/4` and
 * JOB_COMPLETION_INDEX) and joined with `opbench merge` equals the same run made unsharded,
 * record for record and in its summary, timing fields aside. A local server plays two API models
 * whose answers, failures and retries depend only on the request, so both runs get the same ones.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord, LogEvent, RunStartEvent } from "../../src/core/records.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { readCalls, readEvents, runCli } from "../helpers/cli.ts";
import {
  type FaultServer,
  type ReceivedRequest,
  type Reply,
  startFaultServer,
} from "../helpers/fault-server.ts";

const sse = (model: string, text: string, promptTokens: number): string =>
  [
    { choices: [{ index: 0, delta: { content: text.slice(0, 2) } }] },
    { choices: [{ index: 0, delta: { content: text.slice(2) } }] },
    { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
    {
      choices: [],
      usage: { prompt_tokens: promptTokens, completion_tokens: 3, total_tokens: promptTokens + 3 },
    },
  ]
    .map((chunk) => `data: ${JSON.stringify({ id: "chatcmpl-fixed", model, ...chunk })}\n\n`)
    .concat("data: [DONE]\n\n")
    .join("");

/** Requests seen per model × prompt: every other request for case 5 of model big fails (503). */
const seen = new Map<string, number>();

/**
 * The answer is the prompt's `A:` part, except: model small answers every 4th case wrongly and
 * always fails case 7 (400, not retried); model big's case 5 fails once (503) and then succeeds.
 */
function answer(request: ReceivedRequest): Reply {
  const body = JSON.parse(request.body) as { model: string; messages: { content: string }[] };
  const prompt = body.messages.at(-1)!.content;
  const [, n, expected] = /^Q: q(\d+) A: (\w+)$/.exec(prompt) ?? [];
  const key = `${body.model} ${prompt}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if (body.model === "big" && n === "5" && seen.get(key)! % 2 === 1) {
    return { kind: "json", status: 503, body: { error: { message: "busy" } } };
  }
  if (body.model === "small" && n === "7") {
    return { kind: "json", status: 400, body: { error: { message: "bad request" } } };
  }
  const wrong = body.model === "small" && Number(n) % 4 === 0;
  return { kind: "sse", text: sse(body.model, wrong ? "nope" : expected!, prompt.length) };
}

let server: FaultServer;
let dir: string;
beforeAll(async () => {
  server = await startFaultServer(answer);
  dir = mkdtempSync(join(tmpdir(), "opbench-shard-merge-"));
});
afterAll(() => server.close());

const env = { OPENAI_API_KEY: "sk-local-test-shards" };

function writeSuite(path: string, cases: number, name = "shards"): void {
  const rows = Array.from({ length: cases }, (_, i) => `{q: q${i}, a: ${["red", "blue", "green"][i % 3]}}`);
  const rowsOf = (offset: number) => rows.map((r) => r.replace(/q(\d+)/, (_, d) => `q${Number(d) + offset}`));
  writeFileSync(
    path,
    [
      `name: ${name}`,
      "defaults: {max_tokens: 8, temperature: 0}",
      "repeats: 2",
      "warmup: 1",
      "retry: {attempts: 3, backoff: 5ms, max_backoff: 10ms}",
      "models:",
      `  - {id: big, runner: openai, model: big, base_url: "${server.url}/v1", concurrency: 1, price: {input_per_mtok: 2, output_per_mtok: 8}}`,
      `  - {id: small, runner: openai-compatible, model: small, base_url: "${server.url}/v1", concurrency: 3, price: {input_per_mtok: 0.1, output_per_mtok: 0.4}}`,
      "tasks:",
      `  - {id: colors, prompt: 'Q: {{q}} A: {{a}}', expected: '{{a}}', case_id: '{{q}}', scorers: [exact], dataset: [${rows.join(", ")}]}`,
      `  - {id: more, prompt: 'Q: {{q}} A: {{a}}', expected: '{{a}}', scorers: [exact, {type: one_of, name: valid, labels: [red, blue, green]}], dataset: [${rowsOf(100).join(", ")}]}`,
      "savings: [{candidate: small, baseline: big}]",
    ].join("\n"),
  );
}

/** Fields that measure time (or name the run), left out of the comparison. */
const TIMING = new Set([
  "started_at",
  "ttft_ms",
  "ttft_reasoning_ms",
  "e2e_ms",
  "chunk_gaps_ms",
  "tpot_ms",
  "output_tps",
  "queue_ms",
  "backoff_ms",
  "rate_wait_ms",
]);
const untimed = (record: CallRecord) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !TIMING.has(key)));

/**
 * The summary without what measures time: latencies (and their ratios and projected hours),
 * throughput, the run's times and id. Everything else (counts, accuracy and its intervals,
 * tokens, cost, errors, savings' accuracy and cost) must be equal, to twelve significant figures.
 */
const TIMED_KEY = /^(latency|throughput|run_id|started_at|ended_at)$|_ms$|^(e2e|ttft|tpot)_|latency/;
function untimedSummary(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untimedSummary);
  // Sums over cases in another order differ in the last bits (0.3401239778896681 vs …797):
  // twelve significant figures are what "equal" means for a derived float.
  if (typeof value === "number") return Number.isInteger(value) ? value : Number(value.toPrecision(12));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !TIMED_KEY.test(key))
      .map(([key, inner]) => [key, untimedSummary(inner)]),
  );
}

/** The order an unsharded run with one call in flight writes: model, repeat, task, case, attempt. */
const planOrder = (r: CallRecord) => [
  ["big", "small"].indexOf(r.model),
  r.warmup ? 0 : 1,
  r.repeat,
  ["colors", "more"].indexOf(r.task),
  r.case_index,
  r.attempt,
];
const byPlan = (a: CallRecord, b: CallRecord) => {
  const [x, y] = [planOrder(a), planOrder(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
};

describe("opbench run --shard + opbench merge", () => {
  it("a 4-shard run merged equals the unsharded run, record for record and in summary.json", async () => {
    const suite = join(dir, "suite.yaml");
    writeSuite(suite, 13);
    const whole = join(dir, "whole");
    const unsharded = await runCli(["run", suite, "--out", whole, "-o", "summary-json"], env);
    expect(unsharded.code, unsharded.stderr).toBe(0);

    const shards = [1, 2, 3, 4].map((i) => join(dir, `shard-${i}`));
    for (const [i, out] of shards.entries()) {
      // The last shard as a Kubernetes Indexed Job's pod would run it: index 3 of 0…3.
      const args = i === 3 ? ["--shard", "auto/4"] : ["--shard", `${i + 1}/4`];
      const result = await runCli(["run", suite, "--out", out, "-o", "summary-json", ...args], {
        ...env,
        ...(i === 3 && { JOB_COMPLETION_INDEX: "3" }),
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`shard ${i + 1}/4`);
      const start = readEvents(out)[0] as RunStartEvent;
      expect(start.shard).toEqual({ index: i + 1, count: 4 });
      expect(start.suite.hash).toBe((readEvents(whole)[0] as RunStartEvent).suite.hash);
    }
    const measured = (d: string) => readCalls(d).filter((r) => !r.warmup);
    // Every shard made some of the calls, and none made another's.
    const keys = shards.map((d) => new Set(measured(d).map((r) => r.item)));
    for (const k of keys) expect(k.size).toBeGreaterThan(0);
    expect(keys.reduce((n, k) => n + k.size, 0)).toBe(new Set(measured(whole).map((r) => r.item)).size);

    const merged = join(dir, "merged");
    const merge = await runCli(
      [
        "merge",
        shards[2]!,
        shards[0]!,
        shards[3]!,
        shards[1]!,
        "--out",
        merged,
        "-o",
        "summary-json,markdown",
      ],
      env,
    );
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stderr).toContain("Merged 4 shards of shards");

    // Records: the same calls, attempts, outputs, scores, errors, tokens and costs.
    const wholeCalls = measured(whole);
    const mergedCalls = measured(merged);
    expect(wholeCalls.length).toBe(2 * 2 * 2 * 13 + 2); // + case 5's two 503s (one per repeat)
    expect(wholeCalls.some((r) => r.will_retry)).toBe(true);
    expect(wholeCalls.some((r) => !r.ok && !r.will_retry)).toBe(true);
    expect(mergedCalls.map(untimed)).toEqual([...wholeCalls].sort(byPlan).map(untimed));
    // In the unsharded order: model big ran one call at a time, so its records are in that order as written.
    const big = (records: CallRecord[]) => records.filter((r) => r.model === "big").map(untimed);
    expect(big(mergedCalls)).toEqual(big(wholeCalls));

    // The log's frame: one run_start naming the shards, every shard's model_start, one run_end.
    const events = readEvents(merged);
    const start = events[0] as RunStartEvent;
    expect(start.shard).toBeUndefined();
    expect(start.merged_from?.map((s) => [s.shard, s.status, s.segments])).toEqual(
      [1, 2, 3, 4].map((i) => [i, "completed", 1]),
    );
    expect(events.filter((e) => e.type === "run_start")).toHaveLength(1);
    expect(events.filter((e) => e.type === "model_start")).toHaveLength(8);
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "completed" });
    // Every shard warmed its models up: their warm-up records are all kept.
    expect(readCalls(merged).filter((r) => r.warmup)).toHaveLength(8);

    const summary = (d: string) => JSON.parse(readFileSync(join(d, "summary.json"), "utf8")) as Summary;
    const [a, b] = [summary(whole), summary(merged)].map((s) => untimedSummary(s) as Summary) as [
      Summary,
      Summary,
    ];
    expect(a.warmup_calls).toBe(2);
    expect(b.warmup_calls).toBe(8);
    expect({ ...b, warmup_calls: 2 }).toEqual(a);
    expect(a.results.find((r) => r.model === "small" && r.task === "colors")?.failed).toBe(2);
    expect(readFileSync(join(merged, "report.md"), "utf8")).toContain("small");
    // The merged directory is an ordinary run: its log alone gives the same summary again.
    const again = await runCli(["summary", merged, "--json", "-o", "json"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(summary(merged));
  }, 120_000);

  it("resumes a shard as that shard, and refuses another --shard on it", async () => {
    const suite = join(dir, "resume.yaml");
    writeSuite(suite, 6, "resume");
    const shard = join(dir, "resume-2");
    expect(
      (await runCli(["run", suite, "--shard", "2/3", "--out", shard, "-o", "summary-json"], env)).code,
    ).toBe(0);
    const complete = readCalls(shard).map(untimed);
    // As if the process had been killed after its third record.
    const killed = join(dir, "resume-2-killed");
    mkdirSync(killed);
    const lines = readFileSync(join(shard, "events.jsonl"), "utf8").split("\n");
    const callLines = lines.flatMap((line, i) =>
      line && (JSON.parse(line) as LogEvent).type === "call" ? [i] : [],
    );
    const cut = callLines[2]!;
    writeFileSync(join(killed, "events.jsonl"), `${lines.slice(0, cut + 1).join("\n")}\n`);

    const other = await runCli(["run", "--resume", killed, "--shard", "1/3"], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("is shard 2/3; --shard 1/3 would mix");

    const resumed = await runCli(["run", "--resume", killed, "-o", "summary-json"], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const starts = readEvents(killed).filter((e): e is RunStartEvent => e.type === "run_start");
    expect(starts.map((s) => s.shard)).toEqual([
      { index: 2, count: 3 },
      { index: 2, count: 3 },
    ]);
    const measured = (records: ReturnType<typeof untimed>[]) =>
      records.filter((r) => r.warmup === false).sort((x, y) => String(x.item).localeCompare(String(y.item)));
    expect(measured(readCalls(killed).map(untimed))).toEqual(measured(complete));
  }, 60_000);

  it("refuses shards of different suites, and names shards given twice or missing (exit 2)", async () => {
    const suite = join(dir, "refuse.yaml");
    writeSuite(suite, 4, "refuse");
    const run = async (args: string[], out: string) => {
      const result = await runCli(["run", ...args, "--out", out, "-o", "summary-json"], env);
      expect(result.code, result.stderr).toBe(0);
      return out;
    };
    const s1 = await run([suite, "--shard", "1/2"], join(dir, "refuse-1"));
    const s2 = await run([suite, "--shard", "2/2"], join(dir, "refuse-2"));
    const changed = join(dir, "changed.yaml");
    writeSuite(changed, 5, "refuse");
    const other2 = await run([changed, "--shard", "2/2"], join(dir, "changed-2"));

    const different = await runCli(["merge", s1, other2, "--out", join(dir, "m1")], env);
    expect(different.code).toBe(2);
    expect(different.stderr).toContain("shards of different suites");
    expect(different.stderr).toContain(`${s1} (shard 1/2): suite refuse, hash`);
    expect(different.stderr).toContain(`${other2} (shard 2/2): suite refuse, hash`);

    const twice = await runCli(["merge", s1, s2, s2, "--out", join(dir, "m2")], env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`shard 2/2 is given 2 times: ${s2}, ${s2}`);

    const missing = await runCli(["merge", s2, "--out", join(dir, "m3")], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing shard 1/2 of suite refuse");

    const unsharded = await run([suite], join(dir, "refuse-whole"));
    const notShard = await runCli(["merge", s1, unsharded, "--out", join(dir, "m4")], env);
    expect(notShard.code).toBe(2);
    expect(notShard.stderr).toContain(`${unsharded} was not run with --shard`);

    // A shard whose process died (no run_end) is refused unless --allow-incomplete.
    const died = join(dir, "refuse-2-died");
    mkdirSync(died);
    const lines = readFileSync(join(s2, "events.jsonl"), "utf8").trim().split("\n");
    writeFileSync(join(died, "events.jsonl"), `${lines.slice(0, -1).join("\n")}\n`);
    const incomplete = await runCli(["merge", s1, died, "--out", join(dir, "m5")], env);
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toContain(`shard 2/2 (${died}): incomplete`);
    expect(incomplete.stderr).toContain(`opbench run --resume ${died}`);
    expect(existsSync(join(dir, "m5")), "no merged directory is left behind").toBe(false);
    const allowed = await runCli(
      ["merge", s1, died, "--out", join(dir, "m5"), "--allow-incomplete", "-o", "summary-json"],
      env,
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(readEvents(join(dir, "m5")).at(-1)).toMatchObject({ type: "run_end", status: "interrupted" });

    const again = await runCli(["merge", s1, s2, "--out", join(dir, "m5")], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already holds a run");
  }, 90_000);

  it("refuses bad --shard values with exit 2 before any call", async () => {
    const suite = join(dir, "bad.yaml");
    writeSuite(suite, 2, "bad");
    for (const [value, message] of [
      ["5/4", "--shard 5/4: shards are numbered from 1 to 4"],
      ["0/0", "--shard 0/0: the number of shards must be at least 1"],
      ["auto/4", "--shard auto/4: JOB_COMPLETION_INDEX is not set"],
      ["two/4", "--shard two/4: expected i/n"],
    ] as const) {
      const before = server.requests.length;
      const result = await runCli(["run", suite, "--shard", value, "--out", join(dir, "bad")], {
        ...env,
        JOB_COMPLETION_INDEX: "",
      });
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain(message);
      expect(server.requests.length).toBe(before);
    }
  });
});
