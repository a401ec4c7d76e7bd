/**
 * A seeded, stratified sample of logged calls in flat memory. Each distinct request (model,
 * messages, tools) gets a priority from a seeded hash; each stratum (model × tool use × length
 * bucket) keeps the N lowest priorities it has seen (a bottom-k sample: uniform over distinct
 * requests, the same for the same seed). An exact duplicate has the same priority, so a request
 * that ends in the sample was held from its first occurrence and its weight (occurrences in the
 * log) is exact. Memory: N calls per stratum, whatever the log's length.
 */
import { canonicalRequest } from "../../runners/recorded-key.ts";
import type { LoggedCall } from "./logged-call.ts";

export interface SampledCall {
  call: LoggedCall;
  /** Occurrences of this exact request in the log. */
  weight: number;
  stratum: string;
  priority: number;
}

/** Seeded 53-bit hash of a string (two 32-bit multiplicative hashes). */
export function seededHash(text: string, seed: number): number {
  let a = 0x811c9dc5 ^ seed;
  let b = 0x9747b28c ^ Math.imul(seed, 0x85ebca6b) ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 13;
  }
  a ^= a >>> 15;
  a = Math.imul(a, 0x2c1b3c6d);
  a ^= a >>> 12;
  return (a >>> 0) + (b & 0x1fffff) * 2 ** 32;
}

/** Length buckets of a request's text, in characters (≈ 4 per token). */
const LENGTH_BUCKETS = [2_000, 8_000, 32_000];

export function stratumOf(call: LoggedCall): string {
  let chars = 0;
  for (const m of call.messages) chars += m.content.length;
  const bucket = LENGTH_BUCKETS.findIndex((limit) => chars < limit);
  const length =
    bucket < 0 ? `≥${LENGTH_BUCKETS.at(-1)! / 4} tokens` : `<${LENGTH_BUCKETS[bucket]! / 4} tokens`;
  return `${call.model} · ${call.tools ? "tools" : "no tools"} · ${length}`;
}

class Stratum {
  count = 0;
  /** A max-heap on priority. */
  readonly heap: SampledCall[] = [];
}

export class StratifiedSampler {
  private readonly strata = new Map<string, Stratum>();
  private readonly held = new Map<string, SampledCall & { key: string }>();
  private seen = 0;

  private readonly size: number;
  private readonly seed: number;

  constructor(size: number, seed: number) {
    this.size = size;
    this.seed = seed;
  }

  add(call: LoggedCall): void {
    this.seen++;
    const key = `${call.model}\u0000${canonicalRequest(call.messages, call.tools)}`;
    const duplicate = this.held.get(key);
    const name = duplicate?.stratum ?? stratumOf(call);
    const stratum = this.strata.get(name) ?? new Stratum();
    this.strata.set(name, stratum);
    stratum.count++;
    if (duplicate) {
      duplicate.weight++;
      return;
    }
    const priority = seededHash(key, this.seed);
    const heap = stratum.heap;
    const entry = { call, weight: 1, stratum: name, priority, key };
    if (heap.length < this.size) {
      heap.push(entry);
      siftUp(heap, heap.length - 1);
    } else if (priority < heap[0]!.priority) {
      this.held.delete((heap[0] as typeof entry).key);
      heap[0] = entry;
      siftDown(heap, 0);
    } else return;
    this.held.set(key, entry);
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
