import { describe, expect, it } from "vitest";
import { GateSyntaxError, parseGate } from "../../src/gates/expression.ts";
import { type GateUniverse, gateProblem } from "../../src/gates/validate.ts";

describe("the gate language", () => {
  it("parses absolute thresholds on every documented figure", () => {
    expect(parseGate("accuracy >= 0.9")).toEqual({
      kind: "absolute",
      figure: "accuracy",
      op: ">=",
      value: 0.9,
      selector: {},
      expression: "accuracy >= 0.9",
    });
    expect(parseGate("p95 e2e_ms <= 800")).toMatchObject({
      figure: "latency",
      stat: "p95",
      latency: "e2e_ms",
      value: 800,
    });
    expect(parseGate("ttft p50 <= 200")).toMatchObject({
      figure: "latency",
      stat: "p50",
      latency: "ttft_ms",
      value: 200,
    });
    expect(parseGate("cost_per_1k_usd<=0.5")).toMatchObject({
      figure: "cost_per_1k_usd",
      op: "<=",
      value: 0.5,
    });
    expect(parseGate("error_rate <= 0.01")).toMatchObject({ figure: "error_rate", value: 0.01 });
    expect(parseGate("goodput >= 0.95")).toMatchObject({ figure: "goodput", value: 0.95 });
    expect(parseGate("accuracy_retained >= 0.97")).toMatchObject({ figure: "accuracy_retained" });
    expect(parseGate("cost_ratio >= 10")).toMatchObject({ figure: "cost_ratio", op: ">=", value: 10 });
  });

  it("parses selectors, ids as written (digits, dots, plus signs)", () => {
    expect(parseGate("accuracy[model=qwen-4b, task=extract,scorer=exact] >= 0.9").selector).toEqual({
      model: "qwen-4b",
      task: "extract",
      scorer: "exact",
    });
    expect(parseGate("p99 tpot[model=4b.q4+lora] < 50").selector).toEqual({ model: "4b.q4+lora" });
    expect(parseGate("cost_ratio[candidate=small,baseline=gpt-4.1] >= 10").selector).toEqual({
      candidate: "small",
      baseline: "gpt-4.1",
    });
  });

  it("parses deltas against a baseline: accuracy drops in points, rises in percent", () => {
    expect(parseGate("accuracy drop <= 2 points")).toMatchObject({
      kind: "delta",
      direction: "drop",
      op: "<=",
      value: 0.02,
    });
    expect(parseGate("accuracy[task=t] drop < 1.5pp")).toMatchObject({
      kind: "delta",
      value: 0.015,
      op: "<",
    });
    expect(parseGate("p95 e2e_ms rise <= 10%")).toMatchObject({
      kind: "delta",
      direction: "rise",
      value: 0.1,
    });
    expect(parseGate("cost_per_1k_usd rise <= 5%")).toMatchObject({
      kind: "delta",
      figure: "cost_per_1k_usd",
      value: 0.05,
    });
  });

  const failure = (expression: string) => {
    try {
      parseGate(expression);
    } catch (error) {
      if (error instanceof GateSyntaxError)
        return { column: error.column, expected: error.expected, found: error.found, message: error.message };
      throw error;
    }
    throw new Error(`${expression} parsed`);
  };

  it("says where a malformed gate goes wrong and what was expected there", () => {
    expect(failure("accuracy >= ")).toMatchObject({
      column: 13,
      expected: "a number",
      found: "the end of the expression",
    });
    expect(failure("accuracy => 0.9")).toMatchObject({
      column: 10,
      expected: "an operator (>=, <=, >, <)",
      found: '"="',
    });
    expect(failure("p95 <= 3")).toMatchObject({ column: 5, found: '"<="' });
    expect(failure("p95 <= 3").expected).toMatch(/^a latency after p95 \(e2e_ms, /);
    expect(failure("latency >= 3").column).toBe(1);
    expect(failure("accuracy drop <= 2")).toMatchObject({
      column: 19,
      expected: 'the unit "points" (percentage points of accuracy)',
    });
    expect(failure("p95 e2e_ms rise <= 10 points")).toMatchObject({
      column: 23,
      expected: 'the unit "%" (a relative rise)',
    });
    expect(failure("cost_ratio rise <= 3%")).toMatchObject({ column: 12, found: '"rise"' });
    expect(failure("accuracy[model=a")).toMatchObject({ column: 17, expected: '"," or "]"' });
    expect(failure("accuracy[colour=red] >= 1").expected).toBe(
      "a selector key for accuracy (model, task, scorer)",
    );
    expect(failure("accuracy[model=a,model=b] >= 1").expected).toBe(
      "each selector key once (model is given twice)",
    );
    expect(failure("accuracy >= 0.9 extra")).toMatchObject({ column: 17, expected: "the end of the gate" });
    expect(failure("accuracy $ 1")).toMatchObject({ column: 10, found: '"$"' });
    expect(failure("   ")).toMatchObject({ column: 1, found: "an empty expression" });
    expect(failure("accuracy >= ").message).toBe(
      'gate "accuracy >= ": column 13: expected a number, found the end of the expression\n  accuracy >= \n              ^',
    );
  });
});

describe("gates checked against what a run has", () => {
  const universe: GateUniverse = {
    mode: "run",
    models: ["small", "big"],
    tasks: [
      { id: "intent", scorers: ["exact", "valid"] },
      { id: "extract", scorers: ["json"] },
    ],
    savings: [{ candidate: "small", baseline: "big" }],
  };
  const problem = (expression: string, u: GateUniverse = universe) => gateProblem(parseGate(expression), u);

  it("accepts what exists, and * for any", () => {
    expect(problem("accuracy[model=small,task=intent,scorer=valid] >= 0.9")).toBeNull();
    expect(problem("accuracy[model=*,scorer=json] >= 0.9")).toBeNull();
    expect(problem("p95 e2e_ms[task=all] <= 800")).toBeNull();
    expect(problem("cost_ratio[candidate=small] >= 10")).toBeNull();
  });

  it("names what does not exist, with what there is", () => {
    expect(problem("accuracy[model=medium] >= 0.9")).toBe(
      "model=medium: no such model (there are: small, big)",
    );
    expect(problem("accuracy[task=intent,scorer=json] >= 0.9")).toBe(
      "scorer=json: no task intent has this scorer (scorers: exact, valid)",
    );
    expect(problem("accuracy[task=all] >= 0.9")).toMatch(/^task=all: accuracy is per task/);
    expect(problem("cost_ratio[baseline=small] >= 10")).toBe(
      "baseline=small: no such baseline (there are: big)",
    );
    expect(problem("goodput >= 0.9")).toMatch(/load sweeps/);
    expect(problem("accuracy >= 0.9", { mode: "load", models: ["m"], tasks: [], savings: [] })).toMatch(
      /not measured by a load sweep/,
    );
    expect(problem("cost_ratio >= 10", { ...universe, savings: [] })).toBe(
      "cost_ratio needs a savings pair, and there is none",
    );
  });
});
