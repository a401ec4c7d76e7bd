/**
 * Tool calls on the wire, protocol-independent: streamed argument fragments joined per call, and
 * arguments given as an object (Gemini, Anthropic's whole responses) turned into JSON text.
 */
import type { RunnerEvent, ToolCall } from "../src/core/runner.ts";

/** Arguments as the JSON text the model sent: a string as is, anything else serialised. */
export function argumentsText(value: unknown): string {
  if (typeof value === "string") return value;
  return value === undefined || value === null ? "{}" : JSON.stringify(value);
}

/**
 * Arguments (or a tool's result) JSON text as the object the protocols that take objects want;
 * undefined for text that is not a JSON object.
 */
export function argumentsObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

interface PendingCall {
  id?: string;
  name: string;
  arguments: string;
  t: number;
}

/**
 * Joins a streamed response's tool-call fragments by the key the protocol gives each call (an
 * index, an item id), in first-seen order. Calls are complete only when the stream is, so
 * `events()` is read once, after the last chunk.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<string | number, PendingCall>();

  /** A fragment of call `key` read at `t`: its id and name when first given, then argument text. */
  add(
    key: string | number,
    t: number,
    fragment: { id?: string | undefined; name?: string | undefined; arguments?: string | undefined },
  ): void {
    let call = this.calls.get(key);
    if (call === undefined) {
      call = { name: "", arguments: "", t };
      this.calls.set(key, call);
    }
    if (fragment.id) call.id ??= fragment.id;
    if (fragment.name) call.name = call.name || fragment.name;
    if (fragment.arguments) call.arguments += fragment.arguments;
    call.t = t;
  }

  /** Replaces call `key`'s arguments with the complete text (protocols that repeat it at the end). */
  complete(
    key: string | number,
    t: number,
    whole: { id?: string | undefined; name?: string | undefined; arguments?: string | undefined },
  ): void {
    this.add(key, t, { id: whole.id, name: whole.name });
    const call = this.calls.get(key)!;
    if (whole.arguments !== undefined) call.arguments = whole.arguments;
    call.t = t;
  }

  get size(): number {
    return this.calls.size;
  }

  /** One `tool_call` event per call, arguments `{}` when the model sent none. */
  *events(): Generator<RunnerEvent> {
    for (const pending of this.calls.values()) yield toolCallEvent(pending, pending.t);
  }
}

/** The `tool_call` event of a complete call. */
export function toolCallEvent(
  call: { id?: string | undefined; name: string; arguments: string },
  t: number,
): RunnerEvent {
  const out: ToolCall = { name: call.name, arguments: call.arguments === "" ? "{}" : call.arguments };
  if (call.id) out.id = call.id;
  return { type: "tool_call", call: out, t };
}
