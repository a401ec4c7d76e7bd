/**
 * The clocked transport's release queue (arrivals.ts): response bodies whose bytes, end or error
 * wait to be handed to their readers in the event loop's check phase, longest-waiting first, for
 * at most a small budget of readers' work per turn of the loop.
 */

/** A body in the queue: `queued` while it waits, `release` hands it what arrived. */
export interface Releasable {
  queued: boolean;
  release(): void;
}

/**
 * Bodies with chunks, an end or an error waiting to be handed to their reader, longest-waiting
 * first, from `waitingHead` on (an array and an index: no iterator per release).
 */
let waiting: (Releasable | undefined)[] = [];
let waitingHead = 0;

/**
 * How long one check phase keeps handing bodies over, ms, before the rest wait for the next turn
 * of the event loop. Bodies cheap to read (a chunk or two of text each) are handed over in the
 * same turn, where a turn of the loop per body cost more than reading them (~50 µs of CPU per
 * 5-chunk call); a body whose reading takes longer (a finishing call: its record, scores, the next
 * call's dispatch) ends its turn. Small, as it is what a socket's bytes may wait beyond one
 * reader's work before they are read and timestamped.
 */
let releaseBudgetMs = 0.05;

/** Sets the release budget (tests: a cold reader alone takes longer than the default); returns the last. */
export function setReleaseBudgetMs(ms: number): number {
  const last = releaseBudgetMs;
  releaseBudgetMs = ms;
  return last;
}

/** When the current check phase handed over its first body (NaN: none yet). */
let turnStarted = Number.NaN;
const endTurn = () => {
  turnStarted = Number.NaN;
};

/**
 * One release, queued (`setImmediate`) for each body that starts waiting: hands the
 * longest-waiting body what arrived for it. Node runs the microtasks between immediates, so a
 * reader's processing (parsing, scoring, the record, the next call's dispatch) is done before the
 * next release, and the budget counts it. Once the turn's releases took the budget,
 * the rest move to the next turn, whose poll phase first reads and timestamps every socket that
 * became readable meanwhile: a socket's bytes wait at most about that long plus one body's reading.
 * Released all at once, a burst of finishing calls kept the loop away from the sockets for the whole
 * burst's processing, and the calls the server finished during it were timestamped that much late
 * (c=64: e2e error p50 0.60 -> 0.28 ms).
 */
function releaseOne(): void {
  const now = performance.now();
  if (Number.isNaN(turnStarted)) {
    turnStarted = now;
    setImmediate(endTurn); // queued from the check phase: runs first in the next one
  } else if (now - turnStarted >= releaseBudgetMs) {
    setImmediate(releaseOne); // the next turn, after its poll phase
    return;
  }
  if (waitingHead >= waiting.length) return;
  const next = waiting[waitingHead]!;
  waiting[waitingHead++] = undefined;
  if (waitingHead === waiting.length) {
    waiting = [];
    waitingHead = 0;
  } else if (waitingHead >= 1024 && waitingHead * 2 >= waiting.length) {
    // Bodies kept arriving as fast as they were released: drop the released half.
    waiting = waiting.slice(waitingHead);
    waitingHead = 0;
  }
  next.queued = false;
  next.release();
}

/** Queues one release for `body`, which starts waiting (its `queued` is set by the caller). */
export function queueRelease(body: Releasable): void {
  waiting.push(body);
  setImmediate(releaseOne);
}
