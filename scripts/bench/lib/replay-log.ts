/**
 * A synthetic chat-completions log of `lines` calls, written in chunks (never held whole): three
 * models, some requests with tools, a few lengths, and every 7th request an exact repeat of an
 * earlier one (duplicates for the sampler's weights). Shared by the replay bench and tests.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";

const MODELS = ["gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4-20250514"];
const LABELS = ["positive", "negative", "neutral"];
const TOOLS = [
  {
    type: "function",
    function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } },
  },
];

export function syntheticLine(i: number): string {
  const n = i % 7 === 6 ? i - 6 : i;
  const model = MODELS[n % 3]!;
  const tools = n % 5 === 0;
  const text = `Review ${n}: ${"the product was fine ".repeat(1 + (n % 4) * 10)}`;
  const request = {
    model,
    messages: [
      { role: "system", content: "Label the review: positive, negative or neutral." },
      { role: "user", content: text },
    ],
    temperature: 0,
    ...(tools && { tools: TOOLS }),
  };
  const message = tools
    ? {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: `c${n}`, type: "function", function: { name: "lookup", arguments: `{"q":"${n}"}` } },
        ],
      }
    : { role: "assistant", content: LABELS[n % 3] };
  const response = {
    id: `chatcmpl-${n}`,
    model: `${model}-snap`,
    choices: [{ index: 0, message, finish_reason: tools ? "tool_calls" : "stop" }],
    usage: { prompt_tokens: 20 + (n % 4) * 50, completion_tokens: 2 },
  };
  return JSON.stringify({ request, response, latency_ms: 200 + (n % 300) });
}

export async function writeSyntheticLog(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = "";
  for (let i = 0; i < lines; i++) {
    chunk += `${syntheticLine(i)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}
