/**
 * A seeded, stratified sample of logged calls in flat memory. Each distinct request (model,
 * messages, tools) gets a priority from a seeded hash; each stratum (model × tool use × length
 * bucket) keeps the N lowest priorities it has seen (a bottom-k sample: uniform over distinct
 * requests, the same for the same seed). An exact duplicate has the same priority, so a request
 * that ends in the sample was held from its first occurrence and its weight (occurrences in the
 * log) is exact. Memory: N calls per stratum, whatever the log's length.
 */
import { canonicalRequest } from "../../runners/recorded-key.ts";
import type { ChatMessage } from "../core/runner.ts";
import type { LoggedCall } from "./logged-call.ts";
import { Hash53 } from "./seeded-hash.ts";

export interface SampledCall {
  call: LoggedCall;
  /** Occurrences of this exact request in the log. */
  weight: number;
  stratum: string;
  priority: number;
}

/** A held request: its sampling key and the position in the log of the occurrence kept. */
type HeldCall = SampledCall & { key: string; order: number };

/**
 * What a sampler holds, to be merged into another's (`absorb`): a sampler fed part of a log
 * holds every request of that part that can be in the whole log's sample, with its exact count
 * in that part (bottom-k samples merge), so samplers fed disjoint parts of a log merge into the
 * sample of the whole.
 */
export interface SamplerState {
  strata: [string, number][];
  held: HeldCall[];
}

/** The sampling priority of a request: a seeded hash of its model, messages and tools, field by field. */
export function requestPriority(call: LoggedCall, seed: number): number {
  return messagesPriority(seed, call.model, call.messages, call.tools ? JSON.stringify(call.tools) : "");
}

/** `requestPriority` of a request whose tools' JSON is known (a key reader caches it per tool set). */
export function messagesPriority(
  seed: number,
  model: string,
  messages: readonly ChatMessage[],
  toolsJson: string,
): number {
  const hash = new Hash53(seed).update(model);
  for (const m of messages) {
    hash
      .update(m.role)
      .update(m.content)
      .update(m.toolCallId ?? "");
    for (const c of m.toolCalls ?? [])
      hash
        .update(c.id ?? "")
        .update(c.name)
        .update(c.arguments);
  }
  return hash.update(toolsJson).digest();
}

/** Length buckets of a request's text, in characters (≈ 4 per token). */
const LENGTH_BUCKETS = [2_000, 8_000, 32_000];

/** Characters of a request's messages (what its length bucket is of). */
function messageChars(call: LoggedCall): number {
  let chars = 0;
  for (const m of call.messages) chars += m.content.length;
  return chars;
}

/** The length bucket of `chars` characters (an index into LENGTH_BUCKETS, or its length: the longest). */
function lengthBucket(chars: number): number {
  const bucket = LENGTH_BUCKETS.findIndex((limit) => chars < limit);
  return bucket < 0 ? LENGTH_BUCKETS.length : bucket;
}

/**
 * What sampling needs of a call, known before it is converted (chat-line-key.ts reads it from the
 * raw line): its stratum's parts and its priority.
 */
export interface SamplingKey {
  model: string;
  tools: boolean;
  /** Characters of the messages' content. */
  chars: number;
  priority: number;
}

function stratumName(model: string, tools: boolean, bucket: number): string {
  const length =
    bucket === LENGTH_BUCKETS.length
      ? `≥${LENGTH_BUCKETS.at(-1)! / 4} tokens`
      : `<${LENGTH_BUCKETS[bucket]! / 4} tokens`;
  return `${model} · ${tools ? "tools" : "no tools"} · ${length}`;
}

export function stratumOf(call: LoggedCall): string {
  return stratumName(call.model, call.tools !== undefined, lengthBucket(messageChars(call)));
}

class Stratum {
  readonly name: string;
  count = 0;
  constructor(name: string) {
    this.name = name;
  }
  /** A max-heap on priority. */
  readonly heap: SampledCall[] = [];
}

export class StratifiedSampler {
  private readonly strata = new Map<string, Stratum>();
  /** The strata by model, then tool use × length bucket: found without building their names. */
  private readonly byModel = new Map<string, (Stratum | undefined)[]>();
  private readonly held = new Map<string, HeldCall>();
  private seen = 0;

  private readonly size: number;
  private readonly seed: number;

  constructor(size: number, seed: number) {
    this.size = size;
    this.seed = seed;
  }

  /**
   * One call of the log; `order` is its position in the log (default: the order of `add`s), which
   * decides whose answer a duplicate keeps when samplers merge: the first occurrence's.
   */
  add(call: LoggedCall, order = this.seen): void {
    this.seen++;
    const stratum = this.stratumOf(call);
    stratum.count++;
    this.offer(stratum, call, requestPriority(call, this.seed), 1, order);
  }

  /**
   * Counts one call of the log by its sampling key alone (as `add` would count it); returns true
   * when it can enter the sample, and then the caller converts it and hands it to `addKeyed`.
   */
  count(key: SamplingKey): boolean {
    this.seen++;
    const stratum = this.stratumFor(key.model, key.tools, key.chars);
    stratum.count++;
    const heap = stratum.heap;
    return heap.length < this.size || key.priority <= heap[0]!.priority;
  }

  /** A call `count` said can enter the sample; `key` must be its own (the same as `add` computes). */
  addKeyed(call: LoggedCall, key: SamplingKey, order: number): void {
    this.offer(this.stratumFor(key.model, key.tools, key.chars), call, key.priority, 1, order);
  }

  private stratumOf(call: LoggedCall): Stratum {
    return this.stratumFor(call.model, call.tools !== undefined, messageChars(call));
  }

  /** The stratum of a request, made when first seen. */
  private stratumFor(model: string, tools: boolean, chars: number): Stratum {
    // The stratum is a function of the request, so a duplicate lands in its original's stratum.
    const slots = this.byModel.get(model) ?? [];
    if (slots.length === 0) this.byModel.set(model, slots);
    const bucket = lengthBucket(chars);
    const slot = (tools ? LENGTH_BUCKETS.length + 1 : 0) + bucket;
    let stratum = slots[slot];
    if (!stratum) {
      const name = stratumName(model, tools, bucket);
      stratum = this.strata.get(name) ?? new Stratum(name);
      slots[slot] = stratum;
      this.strata.set(stratum.name, stratum);
    }
    return stratum;
  }

  /** Offers a request seen `weight` times to its stratum's bottom-k sample. */
  private offer(
    stratum: Stratum,
    call: LoggedCall,
    priority: number,
    weight: number,
    order: number,
    key?: string,
  ) {
    const heap = stratum.heap;
    // Every held request's priority is at most the heap's top: one above it is neither held nor taken.
    if (heap.length === this.size && priority > heap[0]!.priority) return;
    key ??= `${call.model}\u0000${canonicalRequest(call.messages, call.tools)}`;
    const duplicate = this.held.get(key);
    if (duplicate) {
      duplicate.weight += weight;
      if (order < duplicate.order) {
        duplicate.call = call;
        duplicate.order = order;
      }
      return;
    }
    const entry: HeldCall = { call, weight, stratum: stratum.name, priority, key, order };
    if (heap.length < this.size) {
      heap.push(entry);
      siftUp(heap, heap.length - 1);
    } else if (priority < heap[0]!.priority) {
      this.held.delete((heap[0] as HeldCall).key);
      heap[0] = entry;
      siftDown(heap, 0);
    } else return;
    this.held.set(key, entry);
  }

  /** What this sampler holds, for another's `absorb`. */
  state(): SamplerState {
    return { strata: [...this.strata].map(([name, s]) => [name, s.count]), held: [...this.held.values()] };
  }

  /** Merges in the state of a sampler (same size and seed) fed another part of the log. */
  absorb(state: SamplerState): void {
    const strata = new Map(state.strata);
    for (const entry of state.held) {
      const stratum = this.stratumOf(entry.call);
      this.offer(stratum, entry.call, entry.priority, entry.weight, entry.order, entry.key);
    }
    for (const [name, count] of strata) {
      const stratum = this.strata.get(name);
      if (stratum) stratum.count += count;
      else this.strata.set(name, Object.assign(new Stratum(name), { count }));
    }
    this.seen += state.strata.reduce((sum, [, count]) => sum + count, 0);
  }

  /** Calls seen, and per stratum how many. */
  counts(): { seen: number; strata: Map<string, number> } {
    return { seen: this.seen, strata: new Map([...this.strata].map(([name, s]) => [name, s.count])) };
  }

  /**
   * The sample: each stratum's share of `size` in proportion to its calls (at least one each,
   * largest remainders first), its lowest priorities; in priority order (a seeded shuffle).
   */
  result(): SampledCall[] {
    const strata = [...this.strata].sort(([a], [b]) => (a < b ? -1 : 1));
    const total = strata.reduce((sum, [, s]) => sum + s.count, 0);
    const quota = new Map<string, number>();
    const remainders: [string, number][] = [];
    let given = 0;
    for (const [name, s] of strata) {
      const exact = (this.size * s.count) / total;
      const q = Math.min(s.heap.length, Math.max(1, Math.floor(exact)));
      quota.set(name, q);
      given += q;
      remainders.push([name, exact - Math.floor(exact)]);
    }
    remainders.sort((a, b) => b[1] - a[1]);
    for (let round = 0; given < this.size && round < 2; round++) {
      for (const [name] of remainders) {
        if (given >= this.size) break;
        const s = this.strata.get(name)!;
        if (quota.get(name)! < s.heap.length) {
          quota.set(name, quota.get(name)! + 1);
          given++;
        }
      }
    }
    const picked: SampledCall[] = [];
    for (const [name, s] of strata) {
      const sorted = [...s.heap].sort((a, b) => a.priority - b.priority);
      for (const entry of sorted.slice(0, quota.get(name))) {
        picked.push({ call: entry.call, weight: entry.weight, stratum: name, priority: entry.priority });
      }
    }
    return picked.sort((a, b) => a.priority - b.priority).slice(0, Math.max(this.size, strata.length));
  }
}

function siftUp(heap: SampledCall[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.priority >= heap[i]!.priority) return;
    [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
    i = parent;
  }
}

function siftDown(heap: SampledCall[], i: number): void {
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let largest = i;
    if (left < heap.length && heap[left]!.priority > heap[largest]!.priority) largest = left;
    if (right < heap.length && heap[right]!.priority > heap[largest]!.priority) largest = right;
    if (largest === i) return;
    [heap[largest], heap[i]] = [heap[i]!, heap[largest]!];
    i = largest;
  }
}
