/**
 * The gate language: one gate per expression, written the same in a suite's `gates:` and on the
 * command line (`--gate`). A hand-written tokenizer and recursive-descent parser, so a mistake
 * is reported with its column and what was expected there (exit code 2).
 *
 *   gate      := figure selector? (comparison | delta)
 *   figure    := name | stat latency | latency stat          (p95 e2e_ms, ttft p50)
 *   selector  := "[" key "=" value ("," key "=" value)* "]"  (model, task, scorer, candidate, baseline, step)
 *   comparison:= (">=" | "<=" | ">" | "<") number
 *   delta     := "drop" ("<=" | "<") number ("points" | "pt" | "pp")     accuracy only
 *              | "rise" ("<=" | "<") number "%"                          latency, cost
 */
import { FIGURES, type FigureDefinition, LATENCIES, STATS } from "./figures.ts";
import type { Comparator, GateSpec, Selector } from "./spec.ts";

/** A gate expression that does not parse: exit code 2, with where and what was expected. */
export class GateSyntaxError extends Error {
  override name = "GateSyntaxError";
  readonly expression: string;
  /** 1-based column of the problem in `expression`. */
  readonly column: number;
  readonly expected: string;
  readonly found: string;

  constructor(expression: string, column: number, expected: string, found: string) {
    super(
      `gate "${expression}": column ${column}: expected ${expected}, found ${found}\n` +
        `  ${expression}\n  ${" ".repeat(Math.max(0, column - 1))}^`,
    );
    this.expression = expression;
    this.column = column;
    this.expected = expected;
    this.found = found;
  }
}

interface Token {
  kind: "word" | "number" | "op" | "punct" | "percent" | "end";
  text: string;
  /** 0-based offset in the expression. */
  at: number;
}

const WORD = /[A-Za-z_][A-Za-z0-9_.:/+-]*/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+/y;
const SELECTOR_VALUE = /[^,\]\s]+/y;
const OPERATOR = />=|<=|==|!=|=|>|</y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  let inSelector = false;
  while (at < expression.length) {
    const char = expression[at]!;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    const match = (re: RegExp) => {
      re.lastIndex = at;
      return re.exec(expression)?.[0];
    };
    // A selector's value is an id as written (ids may start with a digit or hold dots).
    const value = inSelector && tokens.at(-1)?.text === "=" ? match(SELECTOR_VALUE) : undefined;
    if (value) {
      tokens.push({ kind: "word", text: value, at });
      at += value.length;
      continue;
    }
    if (char === "[") inSelector = true;
    if (char === "]") inSelector = false;
    const number = /[0-9.]/.test(char) ? match(NUMBER) : undefined;
    if (number) {
      tokens.push({ kind: "number", text: number, at });
      at += number.length;
      continue;
    }
    const word = match(WORD);
    if (word) {
      tokens.push({ kind: "word", text: word, at });
      at += word.length;
      continue;
    }
    const op = match(OPERATOR);
    if (op) {
      tokens.push({ kind: "op", text: op, at });
      at += op.length;
      continue;
    }
    if (char === "%") tokens.push({ kind: "percent", text: char, at });
    else if ("[],*".includes(char)) tokens.push({ kind: "punct", text: char, at });
    else
      throw new GateSyntaxError(
        expression,
        at + 1,
        "a figure, a selector, an operator or a number",
        `"${char}"`,
      );
    at++;
  }
  tokens.push({ kind: "end", text: "", at: expression.length });
  return tokens;
}

const SELECTOR_KEYS = ["model", "task", "scorer", "candidate", "baseline", "step"] as const;

class Parser {
  private index = 0;
  private readonly expression: string;
  private readonly tokens: Token[];
  constructor(expression: string, tokens: Token[]) {
    this.expression = expression;
    this.tokens = tokens;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }
  private next(): Token {
    return this.tokens[this.index++]!;
  }
  fail(token: Token, expected: string): never {
    const found = token.kind === "end" ? "the end of the expression" : `"${token.text}"`;
    throw new GateSyntaxError(this.expression, token.at + 1, expected, found);
  }

  parse(): GateSpec {
    const { figure, stat, latency } = this.figure();
    const selector = this.peek().text === "[" ? this.selector(figure) : {};
    const token = this.peek();
    let spec: GateSpec;
    if (token.kind === "word" && (token.text === "drop" || token.text === "rise")) {
      spec = this.delta(figure, token);
    } else if (token.kind === "op") {
      const op = this.comparator(this.next(), [">=", "<=", ">", "<"]);
      const value = this.number();
      spec = { kind: "absolute", figure: figure.name, op, value };
    } else {
      const deltaWord =
        figure.delta === "drop" ? ', or "drop"' : figure.delta === "rise" ? ', or "rise"' : "";
      this.fail(token, `a comparison (>=, <=, >, <)${deltaWord}`);
    }
    if (stat !== undefined) spec.stat = stat;
    if (latency !== undefined) spec.latency = latency;
    spec.selector = selector;
    spec.expression = this.expression.trim();
    const end = this.peek();
    if (end.kind !== "end") this.fail(end, "the end of the gate");
    return spec;
  }

  private figure(): { figure: FigureDefinition; stat?: string; latency?: string } {
    const first = this.next();
    const figureNames = `a figure (${[...Object.keys(FIGURES).filter((name) => name !== "latency"), "p95 e2e_ms", "ttft p50"].join(", ")})`;
    if (first.kind !== "word") this.fail(first, figureNames);
    const name = first.text.toLowerCase();
    if (STATS.includes(name)) {
      const latency = this.next();
      if (latency.kind !== "word" || !LATENCIES[latency.text.toLowerCase()]) {
        this.fail(latency, `a latency after ${first.text} (${Object.keys(LATENCIES).join(", ")})`);
      }
      return { figure: FIGURES.latency!, stat: name, latency: LATENCIES[latency.text.toLowerCase()]! };
    }
    const latency = LATENCIES[name];
    if (latency) {
      const stat = this.next();
      if (stat.kind !== "word" || !STATS.includes(stat.text.toLowerCase())) {
        this.fail(stat, `a statistic after ${first.text} (${STATS.join(", ")})`);
      }
      return { figure: FIGURES.latency!, stat: stat.text.toLowerCase(), latency };
    }
    const figure = FIGURES[name];
    if (!figure || figure.name === "latency") this.fail(first, figureNames);
    return { figure };
  }

  private selector(figure: FigureDefinition): Selector {
    this.next();
    const selector: Selector = {};
    for (;;) {
      const key = this.next();
      const allowed = figure.selectors;
      if (key.kind !== "word" || !allowed.includes(key.text as (typeof SELECTOR_KEYS)[number])) {
        this.fail(key, `a selector key for ${figure.name} (${allowed.join(", ")})`);
      }
      const name = key.text as keyof Selector;
      if (selector[name] !== undefined) this.fail(key, `each selector key once (${name} is given twice)`);
      const eq = this.next();
      if (eq.text !== "=") this.fail(eq, `"=" after ${name}`);
      const value = this.next();
      if (value.kind !== "word" && value.kind !== "number" && value.text !== "*") {
        this.fail(value, `a ${name} id or * after ${name}=`);
      }
      selector[name] = value.text;
      const after = this.next();
      if (after.text === "]") return selector;
      if (after.text !== ",") this.fail(after, `"," or "]"`);
    }
  }

  private delta(figure: FigureDefinition, word: Token): GateSpec {
    this.next();
    if (figure.delta !== word.text) {
      const allowed = figure.delta ? `"${figure.delta}"` : "a comparison (>=, <=, >, <)";
      this.fail(
        word,
        `${allowed} (${figure.name} has ${figure.delta ? `only a ${figure.delta} against a baseline` : "no delta against a baseline"})`,
      );
    }
    const op = this.comparator(this.next(), ["<=", "<"]);
    const value = this.number();
    const unit = this.next();
    if (word.text === "drop") {
      if (unit.kind !== "word" || !["points", "point", "pt", "pp"].includes(unit.text)) {
        this.fail(unit, 'the unit "points" (percentage points of accuracy)');
      }
      return { kind: "delta", figure: figure.name, direction: "drop", op, value: value / 100 };
    }
    if (unit.kind !== "percent") this.fail(unit, 'the unit "%" (a relative rise)');
    return { kind: "delta", figure: figure.name, direction: "rise", op, value: value / 100 };
  }

  private comparator(token: Token, allowed: readonly Comparator[]): Comparator {
    if (token.kind !== "op" || !allowed.includes(token.text as Comparator)) {
      this.fail(token, `an operator (${allowed.join(", ")})`);
    }
    return token.text as Comparator;
  }

  private number(): number {
    const token = this.next();
    if (token.kind !== "number") this.fail(token, "a number");
    return Number(token.text);
  }
}

/** Parses one gate; throws GateSyntaxError with the column and what was expected. */
export function parseGate(expression: string): GateSpec {
  if (expression.trim() === "") {
    throw new GateSyntaxError(expression, 1, 'a gate such as "accuracy >= 0.9"', "an empty expression");
  }
  return new Parser(expression, tokenize(expression)).parse();
}
