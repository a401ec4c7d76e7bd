/**
 * Synthetic batch logs from the chat-completions bench log's calls (replay-log.ts): an OpenAI
 * Batch input/output pair and an Anthropic Message Batches requests/results pair. Results come
 * in another order than their requests (each block of 1,000 reversed), every 97th request has
 * no result, every 89th result failed, and every 101st result names no request.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { syntheticLine } from "./replay-log.ts";

export type BatchFormat = "openai-batch" | "anthropic-batch";

const BLOCK = 1000;

interface BatchLines {
  request: string;
  result: string | undefined;
}

function openaiLines(i: number): BatchLines {
  const { request, response } = JSON.parse(syntheticLine(i));
  const id = `req-${i}`;
  const body = i % 89 === 5 ? undefined : response;
  return {
    request: JSON.stringify({ custom_id: id, method: "POST", url: "/v1/chat/completions", body: request }),
    result:
      i % 97 === 3
        ? undefined
        : JSON.stringify({
            id: `batch_req_${i}`,
            custom_id: id,
            response: body
              ? { status_code: 200, request_id: `r${i}`, body }
              : { status_code: 500, request_id: `r${i}`, body: { error: { message: "server error" } } },
            error: null,
          }),
  };
}

function anthropicLines(i: number): BatchLines {
  const { request, response } = JSON.parse(syntheticLine(i));
  const id = `msg-${i}`;
  const [system, ...messages] = request.messages;
  const params: Record<string, unknown> = {
    model: request.model,
    max_tokens: 64,
    system: system.content,
    messages,
  };
  if (request.tools) {
    params.tools = request.tools.map((t: { function: Record<string, unknown> }) => ({
      name: t.function.name,
      input_schema: t.function.parameters,
    }));
  }
  const message = response.choices[0].message;
  const content = message.tool_calls
    ? [{ type: "tool_use", id: `toolu_${i}`, name: "lookup", input: { q: String(i) } }]
    : [{ type: "text", text: message.content }];
  const result =
    i % 89 === 5
      ? {
          type: "errored",
          error: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
        }
      : {
          type: "succeeded",
          message: {
            id: `msg_${i}`,
            type: "message",
            role: "assistant",
            model: request.model,
            content,
            stop_reason: message.tool_calls ? "tool_use" : "end_turn",
            usage: { input_tokens: response.usage.prompt_tokens, output_tokens: 2 },
          },
        };
  return {
    request: JSON.stringify({ custom_id: id, params }),
    result: i % 97 === 3 ? undefined : JSON.stringify({ custom_id: id, result }),
  };
}

/** Requests and results of calls `[from, to)`: results of each block reversed, orphans added. */
export function batchLines(
  format: BatchFormat,
  from: number,
  to: number,
): { requests: string; results: string } {
  const lines = format === "openai-batch" ? openaiLines : anthropicLines;
  let requests = "";
  let results = "";
  for (let block = from; block < to; block += BLOCK) {
    const held: string[] = [];
    for (let i = block; i < Math.min(to, block + BLOCK); i++) {
      const { request, result } = lines(i);
      requests += `${request}\n`;
      if (result) held.push(result);
      if (i % 101 === 7 && result)
        held.push(result.replace(/"custom_id": ?"[^"]*"/, `"custom_id":"orphan-${i}"`));
    }
    results += `${held.reverse().join("\n")}\n`;
  }
  return { requests, results };
}

/** Writes a batch log of `calls` requests to `requestsPath` and its results to `resultsPath`. */
export async function writeSyntheticBatch(
  format: BatchFormat,
  requestsPath: string,
  resultsPath: string,
  calls: number,
): Promise<void> {
  const requests = createWriteStream(requestsPath);
  const results = createWriteStream(resultsPath);
  for (let from = 0; from < calls; from += 10 * BLOCK) {
    const part = batchLines(format, from, Math.min(calls, from + 10 * BLOCK));
    const waits: Promise<unknown>[] = [];
    if (!requests.write(part.requests)) waits.push(once(requests, "drain"));
    if (!results.write(part.results)) waits.push(once(results, "drain"));
    await Promise.all(waits);
  }
  requests.end();
  results.end();
  await Promise.all([once(requests, "finish"), once(results, "finish")]);
}
