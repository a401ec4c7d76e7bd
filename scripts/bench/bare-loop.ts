/**
 * The practical limit: a bare undici request loop making the same calls opbench makes (same
 * body, same concurrency, the body read chunk by chunk as it streams in), timing them the same
 * way (performance.now() before the request is issued, when the first and last body chunks
 * arrive). Run as its own process by the benchmarks:
 *
 *   node scripts/bench/bare-loop.ts --url U --calls N --concurrency C
 *        [--connection keep-alive|close] [--stream true|false] [--out calls.json]
 *
 * Writes {wallMs, calls: [{id, e2eMs, ttftMs}]} to --out (or prints the wall time).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases, casePrompt, MAX_TOKENS } from "./lib/cases.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    calls: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "1" },
    connection: { type: "string", default: "keep-alive" },
    stream: { type: "string", default: "true" },
    out: { type: "string" },
  },
});
if (!values.url) throw new Error("--url is required");
const url = `${values.url}/v1/chat/completions`;
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);
const close = values.connection === "close";
const stream = values.stream !== "false";

const agent = new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 30_000 });
// Bodies built up front: the loop measures the transport, not JSON.stringify.
const bodies = benchCases(calls, DEFAULT_SCRIPT).map((c) =>
  JSON.stringify({
    messages: [{ role: "user", content: casePrompt(c) }],
    max_tokens: MAX_TOKENS,
    stream,
    ...(stream && { stream_options: { include_usage: true } }),
    temperature: 0,
    cache_prompt: false,
  }),
);
const e2e = new Float64Array(calls);
const ttft = new Float64Array(calls);
const ids: string[] = new Array(calls);
const headers = { "content-type": "application/json", accept: "*/*" };

async function call(index: number): Promise<void> {
  const tSent = performance.now();
  const response = await request(url, {
    method: "POST",
    headers,
    body: bodies[index],
    dispatcher: agent,
    ...(close && { reset: true }),
  });
  let tFirst = 0;
  let tLast = 0;
  let head = "";
  for await (const chunk of response.body) {
    tLast = performance.now();
    if (tFirst === 0) {
      tFirst = tLast;
      head = (chunk as Buffer).toString("utf8", 0, Math.min(200, chunk.length));
    }
  }
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
  const idStart = head.indexOf('"id":"') + 6;
  ids[index] = head.slice(idStart, head.indexOf('"', idStart));
  e2e[index] = tLast - tSent;
  ttft[index] = stream ? tFirst - tSent : Number.NaN;
}

let next = 0;
async function worker(): Promise<void> {
  while (next < calls) await call(next++);
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const wallMs = performance.now() - started;
await agent.close();

if (values.out) {
  const records = ids.map((id, i) => ({ id, e2eMs: e2e[i]!, ttftMs: stream ? ttft[i]! : null }));
  writeFileSync(values.out, JSON.stringify({ wallMs, calls: records }));
} else {
  process.stdout.write(`${JSON.stringify({ wallMs })}\n`);
}
