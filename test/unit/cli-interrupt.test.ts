/** The one Ctrl-C / SIGTERM handler of `run` and `load`: stop gracefully first, quit at once second. */
import { afterEach, describe, expect, it } from "vitest";
import { handleInterrupts, INTERRUPTED_EXIT_CODE, type InterruptHandler } from "../../src/cli/interrupt.ts";

let handler: InterruptHandler | undefined;
afterEach(() => handler?.dispose());

describe("handleInterrupts", () => {
  it("aborts at the first signal with a note, exits 130 at the second", () => {
    const notes: string[] = [];
    const exits: number[] = [];
    handler = handleInterrupts(
      (line) => notes.push(line),
      "stopping the sweep",
      (code) => exits.push(code),
    );
    expect(handler.signal.aborted).toBe(false);
    process.emit("SIGINT");
    expect(handler.signal.aborted).toBe(true);
    expect((handler.signal.reason as Error).message).toMatch(/interrupt/i);
    expect(notes).toEqual([
      "Interrupted: stopping the sweep; records so far are on disk. Ctrl-C again to quit at once.",
    ]);
    expect(exits).toEqual([]);
    process.emit("SIGTERM");
    expect(exits).toEqual([INTERRUPTED_EXIT_CODE]);
    expect(notes).toHaveLength(1);
  });

  it("is removed by dispose()", () => {
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    handler = handleInterrupts(() => {}, "stopping");
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(
      before.map((n) => n + 1),
    );
    handler.dispose();
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(before);
  });
});
