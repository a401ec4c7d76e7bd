/**
 * Text helpers of the HTML report: escaping for HTML text and attributes, JSON that is safe
 * inside a `<script>` element, and the number formats the cards, tables and descriptions share.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `text` as HTML text or a quoted attribute value: `& < > " '` escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>`, `&`, U+2028 and U+2029 are
 * written as `\uXXXX` escapes, so no string in `value` (model output, a model name) can close
 * the element or open a comment; `JSON.parse` of the element's text gives `value` back.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A fraction as a percentage: 0.875 → "87.5%", 0.5 → "50%" (one decimal unless whole). */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))}%`;
}

/**
 * A number as `toLocaleString("en-US")` writes it ("219,021", "12.35"), without ICU for numbers
 * of at most three decimals: the first locale formatting of a process loads ICU's number data,
 * ~35 ms of every run that writes this report.
 */
export function enUS(value: number): string {
  const text = String(value);
  const point = text.indexOf(".");
  if (Object.is(value, -0) || text.includes("e") || (point >= 0 && text.length - point - 1 > 3)) {
    return value.toLocaleString("en-US");
  }
  return Number.isFinite(value) ? groupWhole(text) : value.toLocaleString("en-US");
}

/** Commas between the thousands of a decimal's whole part: "-1234.5" → "-1,234.5". */
function groupWhole(text: string): string {
  const point = text.indexOf(".");
  const whole = point < 0 ? text : text.slice(0, point);
  return whole.replace(/\B(?=(\d{3})+$)/g, ",") + (point < 0 ? "" : text.slice(point));
}

/** A positive number written out in full, never with an exponent: 1.55e-8 → "0.0000000155". */
function fullDecimal(value: number): string {
  const text = String(value);
  if (!text.includes("e")) return groupWhole(text);
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  const power = Number(exponent);
  return power < 0
    ? `0.${"0".repeat(-power - 1)}${mantissa.replace(".", "")}`
    : value.toLocaleString("en-US");
}

/** A ratio with two significant figures, none after the point from 10 up: 3.14 → "3.1", 12.7 → "13", 219021 → "219,021". */
export function ratio(value: number): string {
  if (value >= 10) return enUS(Math.round(value));
  return value.toPrecision(2);
}

/** Dollars: "$1,234" from $100 up, else three significant figures ("$0.00123"). */
export function usd(value: number): string {
  const sign = value < 0 ? "−" : "";
  const abs = Math.abs(value);
  if (abs >= 100) return `${sign}$${enUS(Math.round(abs))}`;
  if (abs === 0) return "$0";
  // Never "1.55e-8": tiny local costs are written out in full.
  return `${sign}$${fullDecimal(Number(abs.toPrecision(3)))}`;
}

/** Milliseconds: "850 ms", or seconds from 10 s up ("12.3 s"). */
export function ms(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Number(value.toPrecision(3))} ms`;
}

/** Joules with three significant figures ("1.23 J"), kJ from 10 kJ up. */
export function joules(value: number): string {
  if (value >= 10_000) return `${Number((value / 1000).toPrecision(3))} kJ`;
  return `${Number(value.toPrecision(3))} J`;
}

/** An interval of fractions as percentages ("62–91%"), or null when either end is unknown. */
export function percentInterval(lower: number | null, upper: number | null): string | null {
  if (lower === null || upper === null) return null;
  return `${percent(lower).replace("%", "")}–${percent(upper)}`;
}
