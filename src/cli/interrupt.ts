/**
 * Ctrl-C and SIGTERM for `run` and `load`: the first signal aborts the command's signal (no new
 * calls; calls in flight are cancelled and not recorded as failures), so the command still writes
 * its outputs; a second quits at once. Every record is appended as its call ends, so quitting
 * loses nothing already finished.
 */
import { interruptReason } from "../engine/run.ts";

/** Exit code of an interrupted command (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

export interface InterruptHandler {
  /** Aborted, with `interruptReason()`, at the first Ctrl-C or SIGTERM. */
  readonly signal: AbortSignal;
  /** Removes the handler (call in `finally`). */
  dispose(): void;
}

/**
 * Installs the handler. `stopping` says what the command stops, in the note it writes with `say`
 * at the first signal ("stopping the sweep"). `exit` is `process.exit` (replaced in tests).
 */
export function handleInterrupts(
  say: (line: string) => void,
  stopping: string,
  exit: (code: number) => void = (code) => process.exit(code),
): InterruptHandler {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) {
      exit(INTERRUPTED_EXIT_CODE);
      return;
    }
    say(`Interrupted: ${stopping}; records so far are on disk. Ctrl-C again to quit at once.`);
    controller.abort(interruptReason());
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
