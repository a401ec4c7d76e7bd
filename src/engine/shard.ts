/**
 * Sharding (`--shard i/n`): which work items one of n processes makes. An item belongs to a shard
 * by a hash of its key (model, task, repeat, case id), not by its position, so adding, removing or
 * reordering cases moves no other case to another shard. Warm-up items are not sharded: every
 * shard warms its own model up.
 */
import { hash } from "node:crypto";

/** One shard of a run: `index` counts from 1 (`--shard 1/4` … `4/4`), as the log records it. */
export interface Shard {
  index: number;
  count: number;
}

/** The shard (1-based) an item key belongs to among `count`. */
export function shardOfItem(key: string, count: number): number {
  if (count === 1) return 1;
  // The first 48 bits of SHA-256: uniform, and the same on every machine and Node version.
  return (Number.parseInt(hash("sha256", key).slice(0, 12), 16) % count) + 1;
}

/** Whether item `key` is one of `shard`'s (every item is, without a shard). */
export function inShard(key: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOfItem(key, shard.count) === shard.index;
}

/** `2/4` for messages. */
export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
