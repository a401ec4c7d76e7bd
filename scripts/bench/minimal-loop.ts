/**
 * The minimal loop of issue 19: an undici `Pool` to the server, each request's body built when
 * the call starts, the response body read and dropped, nothing kept per call (no timings, no
 * ids). It is the least a Node client can do for the same calls: the floor for CPU per call.
 *
 *   node scripts/bench/minimal-loop.ts --url U --calls N --concurrency C [--stream true|false]
 *
 * Prints {wallMs, calls} (the loop alone, and how many calls got HTTP 200).
 */
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { MAX_TOKENS, PROMPT_TEMPLATE } from "./lib/cases.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    calls: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "1" },
    stream: { type: "string", default: "true" },
  },
});
if (!values.url) throw new Error("--url is required");
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);
const stream = values.stream !== "false";
const pool = new Pool(values.url, { connections: concurrency, keepAliveTimeout: 30_000 });
const headers = { "content-type": "application/json" };

let next = 0;
let ok = 0;
async function worker(): Promise<void> {
  while (next < calls) {
    const i = next++;
    const content = PROMPT_TEMPLATE.replace("{{id}}", `c${i}`).replace(
      "{{text}}",
      `my card payment number ${i} was declined twice`,
    );
    const { statusCode, body } = await pool.request({
      path: "/v1/chat/completions",
      method: "POST",
      headers,
      body: JSON.stringify({
        messages: [{ role: "user", content }],
        max_tokens: MAX_TOKENS,
        stream,
        ...(stream && { stream_options: { include_usage: true } }),
        temperature: 0,
        cache_prompt: false,
      }),
    });
    await body.dump({ limit: 1_000_000 });
    if (statusCode === 200) ok++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const wallMs = performance.now() - started;
await pool.close();
process.stdout.write(`${JSON.stringify({ wallMs, calls: ok })}\n`);
