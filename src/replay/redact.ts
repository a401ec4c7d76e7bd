/**
 * Replaces personal data in logged calls before anything is written: e-mail addresses, phone
 * numbers, card numbers (Luhn-checked), IBANs (mod-97 checked), IPv4/IPv6 addresses, and custom
 * regular expressions. The same value always gets the same placeholder (`<EMAIL_1>`), so a
 * conversation that repeats a value still reads consistently; the counts say what was replaced.
 */
import { isIPv4, isIPv6 } from "node:net";

export type RedactionKind = "EMAIL" | "PHONE" | "CARD" | "IBAN" | "IP" | "CUSTOM";

interface Rule {
  kind: RedactionKind;
  pattern: RegExp;
  accept?: (match: string) => boolean;
}

const digitsOf = (text: string) => text.replace(/\D/g, "");

export function luhnValid(number: string): boolean {
  const digits = digitsOf(number);
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function ibanValid(text: string): boolean {
  const iban = text.replace(/\s/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of moved) {
    const value = ch >= "A" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** Card numbers, IBANs and addresses before phone numbers: their digits would read as one. */
const BUILTIN_RULES: Rule[] = [
  { kind: "EMAIL", pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  { kind: "IBAN", pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b/g, accept: ibanValid },
  { kind: "CARD", pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, accept: luhnValid },
  {
    kind: "IP",
    pattern: /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})(?![\w:])/g,
    accept: isIPv6,
  },
  { kind: "IP", pattern: /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]|\.\d)/g, accept: isIPv4 },
  {
    kind: "PHONE",
    pattern: /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w])/g,
    accept: (m) => {
      const n = digitsOf(m).length;
      // A date (2024-05-01) or a decimal is not a phone number.
      return n >= 9 && n <= 15 && !/^\d{4}-\d{2}-\d{2}$/.test(m) && (m.startsWith("+") || /[ .()-]/.test(m));
    },
  },
];

export class Redactor {
  private readonly rules: Rule[];
  private readonly placeholders = new Map<string, string>();
  private readonly next = new Map<RedactionKind, number>();
  /** Replacements made, per kind (every occurrence). */
  readonly counts = new Map<RedactionKind, number>();

  constructor(customPatterns: readonly string[] = []) {
    this.rules = [
      ...customPatterns.map((source): Rule => ({ kind: "CUSTOM", pattern: new RegExp(source, "g") })),
      ...BUILTIN_RULES,
    ];
  }

  /** Distinct values replaced, per kind. */
  distinct(): Map<RedactionKind, number> {
    return new Map(this.next);
  }

  text(input: string): string {
    let out = input;
    for (const rule of this.rules) {
      out = out.replace(rule.pattern, (match) => {
        if (match === "" || /^<[A-Z]+_\d+>$/.test(match) || (rule.accept && !rule.accept(match)))
          return match;
        return this.placeholder(rule.kind, match);
      });
    }
    return out;
  }

  private placeholder(kind: RedactionKind, value: string): string {
    const key = `${kind}\u0000${value}`;
    let placeholder = this.placeholders.get(key);
    if (!placeholder) {
      const n = (this.next.get(kind) ?? 0) + 1;
      this.next.set(kind, n);
      placeholder = `<${kind}_${n}>`;
      this.placeholders.set(key, placeholder);
    }
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    return placeholder;
  }

  /** A deep copy of `value` with every string redacted except under the keys named in `keep`. */
  value<T>(value: T, keep: ReadonlySet<string> = KEEP_KEYS): T {
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.value(v, keep)) as T;
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = keep.has(k) ? v : this.value(v, keep);
      return out as T;
    }
    return value;
  }

  /** Counts per kind as a plain object, for the report file. */
  report(): { replaced: Record<string, number>; distinct_values: Record<string, number> } {
    return { replaced: Object.fromEntries(this.counts), distinct_values: Object.fromEntries(this.next) };
  }
}

/** Identity fields: model names, ids, roles, finish reasons are not customer data. */
const KEEP_KEYS = new Set(["model", "id", "role", "finishReason", "provider", "type", "name", "toolCallId"]);
