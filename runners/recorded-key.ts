/**
 * The key a recorded answer is found by: a hash of the request's conversation and tools, in a
 * canonical form (fixed field order), so `opbench init --from` and the `recorded` runner compute
 * the same key from the same case however its rows were written or sliced (--limit, --shard).
 */
import { createHash } from "node:crypto";
import type { ChatMessage, ToolDefinition } from "../src/core/runner.ts";

/** The canonical JSON text of a conversation and its tools. */
export function canonicalRequest(
  messages: readonly ChatMessage[],
  tools: readonly ToolDefinition[] | undefined,
): string {
  return JSON.stringify({
    messages: messages.map((m) => ({
      role: m.role,
      content: m.content,
      toolCalls:
        m.toolCalls?.map((c) => ({ id: c.id ?? null, name: c.name, arguments: c.arguments })) ?? null,
      toolCallId: m.toolCallId ?? null,
    })),
    tools:
      tools?.map((t) => ({
        name: t.name,
        description: t.description ?? null,
        parameters: t.parameters ?? null,
      })) ?? null,
  });
}

/** sha256 of the canonical request, hex, first 32 digits. */
export function recordedRequestKey(
  messages: readonly ChatMessage[],
  tools: readonly ToolDefinition[] | undefined,
): string {
  return createHash("sha256").update(canonicalRequest(messages, tools)).digest("hex").slice(0, 32);
}
