/** Bounded concurrency: `limit` workers drain one shared queue. */

/**
 * Runs `worker` on every item with at most `limit` in flight, in queue order. Stops taking new
 * items once `signal` aborts (items in flight finish on their own terms).
 */
export async function runPool<T>(
  items: Iterable<T>,
  limit: number,
  worker: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const queue = items[Symbol.iterator]();
  const drain = async (): Promise<void> => {
    while (!signal?.aborted) {
      const next = queue.next();
      if (next.done) return;
      await worker(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, drain));
}
