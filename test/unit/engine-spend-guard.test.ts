/** The spend guard of one streamed call, against a reservation that can never grow. */
import { describe, expect, it } from "vitest";
import type { Reservation } from "../../src/engine/budget.ts";
import { callPriceLine, SpendGuard } from "../../src/engine/spend-guard.ts";

const price = (input: number, output: number) => input * 0.001 + output * 0.01;

/** A reservation of the call's worst case with no room left in the budget beside it. */
function fullBudget(heldUsd: number): Reservation {
  return { heldUsd, grow: (total) => total <= heldUsd + 1e-12, settle: () => undefined };
}

describe("SpendGuard", () => {
  it("lets a complete answer of exactly max_tokens through when nothing is left beside it", () => {
    const line = callPriceLine(price, 10, 16)!;
    const guard = new SpendGuard(fullBudget(price(10, 16)), line);
    for (let i = 0; i < 16; i++) {
      expect(guard.check({ type: "delta", channel: "content", text: "ab", t: i })).toBeUndefined();
    }
    // A 17th token was never reserved: the stream is cut before it can cost anything more.
    const cut = guard.check({ type: "delta", channel: "content", text: "ab", t: 16 });
    expect(cut?.errorClass).toBe("budget_stopped");
  });

  it("grows the reservation past max_tokens while the budget has room", () => {
    let held = price(10, 4);
    const roomy: Reservation = {
      get heldUsd() {
        return held;
      },
      grow: (total) => {
        held = Math.max(held, total);
        return true;
      },
      settle: () => undefined,
    };
    const guard = new SpendGuard(roomy, callPriceLine(price, 10, 4)!);
    for (let i = 0; i < 10; i++) guard.check({ type: "delta", channel: "content", text: "x", t: i });
    expect(guard.outputTokens).toBe(10);
    expect(held).toBeCloseTo(price(10, 11), 12); // room for the next token before it arrives
  });
});
