/**
 * A parser for the Prometheus text exposition format (version 0.0.4), enough to read an
 * exporter's `/metrics`: `# HELP`/`# TYPE`/other comments skipped, `name{label="value",…} value
 * [timestamp]` samples with escaped label values (`\\`, `\"`, `\n`), optional spaces after
 * commas, a trailing comma, and the special values NaN, +Inf, -Inf.
 */

/** One sample line. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Optional sample timestamp, epoch ms. */
  timestampMs: number | null;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  if (text === "" || Number.isNaN(value))
    throw new SyntaxError(`not a sample value: ${JSON.stringify(text)}`);
  return value;
}

/** Parses `{a="x",b="y"}` from position `i` (at the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  const skipSpaces = () => {
    while (line[i] === " " || line[i] === "\t") i++;
  };
  for (;;) {
    skipSpaces();
    if (line[i] === "}") return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (name === undefined) throw new SyntaxError(`bad label name at column ${i + 1}`);
    i += name.length;
    skipSpaces();
    if (line[i] !== "=") throw new SyntaxError(`expected = after label ${name}`);
    i++;
    skipSpaces();
    if (line[i] !== '"') throw new SyntaxError(`expected a quoted value for label ${name}`);
    i++;
    let value = "";
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new SyntaxError(`unterminated value for label ${name}`);
      if (c === '"') break;
      if (c === "\\") {
        const next = line[i + 1];
        value += next === "n" ? "\n" : (next ?? "");
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
    skipSpaces();
    if (line[i] === ",") i++;
    else if (line[i] !== "}") throw new SyntaxError(`expected , or } after label ${name}`);
  }
}

/**
 * Parses one exposition text into samples, in order. Malformed lines are skipped and counted
 * (an exporter's one odd line must not hide the metric we need).
 */
export function parsePrometheusText(text: string): { samples: PrometheusSample[]; malformed: number } {
  const samples: PrometheusSample[] = [];
  let malformed = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const name = NAME.exec(line)?.[0];
      if (name === undefined) throw new SyntaxError("no metric name");
      let i = name.length;
      let labels: Record<string, string> = {};
      if (line[i] === "{") ({ labels, end: i } = parseLabels(line, i));
      const rest = line.slice(i).trim().split(/\s+/);
      if (rest.length < 1 || rest.length > 2)
        throw new SyntaxError("expected a value and an optional timestamp");
      const value = parseValue(rest[0]!);
      const timestampMs = rest[1] === undefined ? null : Number(rest[1]);
      if (timestampMs !== null && !Number.isFinite(timestampMs)) throw new SyntaxError("bad timestamp");
      samples.push({ name, labels, value, timestampMs });
    } catch {
      malformed++;
    }
  }
  return { samples, malformed };
}

/** The samples of one metric whose labels include every `match` pair. */
export function selectSamples(
  samples: readonly PrometheusSample[],
  name: string,
  match: Readonly<Record<string, string>> = {},
): PrometheusSample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(match).every(([key, value]) => s.labels[key] === value),
  );
}
