/**
 * A push queue that turns callback-style producers (e.g. an in-process generator's onTextChunk)
 * into an async iterable of events, in order, with one waiter at a time.
 */
export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private closed = false;
  private failed = false;
  private failure: unknown;

  /** Adds an item; ignored after close/fail. */
  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.notify();
  }

  /** Ends the stream once the queued items are consumed. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Ends the stream with `error`, thrown after the queued items are consumed. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failed = true;
    this.failure = error;
    this.close();
  }

  /** Yields items as they come until close (or throws the failure). */
  async *drain(): AsyncGenerator<T, void, undefined> {
    for (;;) {
      while (this.head < this.items.length) {
        const item = this.items[this.head] as T;
        this.head++;
        yield item;
      }
      this.items.length = 0;
      this.head = 0;
      if (this.closed) {
        if (this.failed) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
