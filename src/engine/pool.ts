/** Bounded concurrency: `limit` workers drain one shared queue. */

/**
 * Runs `worker` on every item with at most `limit` in flight, in queue order. Stops taking new
 * items once `signal` aborts (items in flight finish on their own terms). If taking the next item
 * throws (the queue renders its items from a dataset that changed), no new item is taken, the
 * items in flight finish, and then the error is thrown.
 */
export async function runPool<T>(
  items: Iterable<T>,
  limit: number,
  worker: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const queue = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const drain = async (): Promise<void> => {
    while (!signal?.aborted && !failure) {
      let next: IteratorResult<T>;
      try {
        next = queue.next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (next.done) return;
      await worker(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, drain));
  if (failure) throw failure.error;
}
