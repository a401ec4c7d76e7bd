/**
 * `opbench run --shard i/n`: run only shard i of n (counted from 1, as `1/4` … `4/4`), or
 * `auto/n`, which takes the shard from a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`
 * (counted from 0, so index 0 is shard 1/n).
 */
import type { Shard } from "../engine/shard.ts";

/** The environment variable `auto/n` reads: set by Kubernetes in each pod of an Indexed Job. */
export const SHARD_INDEX_ENV = "JOB_COMPLETION_INDEX";

/** The option (yargs). */
export const shardOption = {
  type: "string",
  describe:
    "Run only shard i of n (i from 1 to n: 1/4 … 4/4) of the measured calls, split by a hash of " +
    `model × task × repeat × case id; auto/n takes i from ${SHARD_INDEX_ENV} (0-based, Kubernetes ` +
    "Indexed Jobs). Join the shards' run directories with opbench merge",
} as const;

/** A `--shard` value that is not a shard (exit code 2): the message says what was expected. */
export class ShardSpecError extends Error {
  override name = "ShardSpecError";
}

const WHOLE = /^\d+$/;

/** Parses `--shard`; throws ShardSpecError with what was given and what was expected. */
export function parseShard(value: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const given = `--shard ${value}`;
  const parts = value.trim().split("/");
  if (parts.length !== 2 || !(WHOLE.test(parts[0]!.trim()) || parts[0]!.trim() === "auto")) {
    throw new ShardSpecError(`${given}: expected i/n (shard i of n, e.g. 2/4) or auto/n`);
  }
  const [first, second] = parts.map((part) => part.trim()) as [string, string];
  if (!WHOLE.test(second)) {
    throw new ShardSpecError(`${given}: the number of shards, after the /, must be a whole number ≥ 1`);
  }
  const count = Number(second);
  if (count < 1) throw new ShardSpecError(`${given}: the number of shards must be at least 1`);
  if (first === "auto") return { index: indexFromEnv(given, count, env), count };
  const index = Number(first);
  if (index < 1 || index > count) {
    const zero = index === 0 ? ` (for a 0-based index such as ${SHARD_INDEX_ENV}, use auto/${count})` : "";
    throw new ShardSpecError(
      `${given}: shards are numbered from 1 to ${count} (1/${count} … ${count}/${count})${zero}`,
    );
  }
  return { index, count };
}

function indexFromEnv(given: string, count: number, env: NodeJS.ProcessEnv): number {
  const raw = env[SHARD_INDEX_ENV];
  if (raw === undefined || raw.trim() === "") {
    throw new ShardSpecError(
      `${given}: ${SHARD_INDEX_ENV} is not set; auto takes the shard from it (set by Kubernetes in ` +
        "an Indexed Job's pods); elsewhere give the shard as i/n",
    );
  }
  if (!WHOLE.test(raw.trim())) {
    throw new ShardSpecError(`${given}: ${SHARD_INDEX_ENV}=${raw} is not a whole number ≥ 0`);
  }
  const index = Number(raw.trim());
  if (index >= count) {
    throw new ShardSpecError(
      `${given}: ${SHARD_INDEX_ENV}=${index} is outside 0 … ${count - 1}; the Job's completions ` +
        `must equal the number of shards (${count})`,
    );
  }
  return index + 1;
}
