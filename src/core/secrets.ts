/**
 * Secrets inside a suite's configuration: credentials in URLs (see ./url.ts) and secret HTTP
 * headers. The configuration is recorded in `run_start`; what is recorded goes through
 * {@link redactConfig}, and {@link configSecrets} lists the values to mask wherever else they
 * could turn up (a server quoting the request in an error).
 */
import { maskUrl, SECRET_NAME, URL_MASK, urlSecrets } from "./url.ts";

/** An extra HTTP header: a value, or a value marked public (never masked) or not (always masked). */
export type HeaderSetting = string | { value: string; public: boolean };

/**
 * Whether a header's value is a secret: as the suite marks it, else by its name (see
 * SECRET_NAME): masked unless the suite marks the header `public: true`.
 */
export function isSecretHeader(name: string, setting: HeaderSetting): boolean {
  return typeof setting === "string" ? SECRET_NAME.test(name) : !setting.public;
}

/** The values to send for a model entry's `headers:`. */
export function headerValues(headers: Record<string, HeaderSetting> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, setting] of Object.entries(headers ?? {})) {
    out[name] = typeof setting === "string" ? setting : setting.value;
  }
  return out;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A copy of `value` (a model entry, a resolved suite, CLI overrides or argv) fit for records:
 * every URL masked by {@link maskUrl} (wherever it sits, so a new runner's URL field is covered
 * too), and the values of secret `headers` replaced by the mask.
 */
export function redactConfig<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === "string") return SCHEME.test(value) ? maskUrl(value) : maskUrlAfterEquals(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (key === "headers") {
    return Object.fromEntries(
      entries.map(([name, setting]) => [
        name,
        isHeaderSetting(setting) && isSecretHeader(name, setting) ? maskedHeader(setting) : setting,
      ]),
    );
  }
  return Object.fromEntries(entries.map(([name, item]) => [name, redactValue(item, name)]));
}

/** `--model=http://user:pw@host` as one argv word. */
function maskUrlAfterEquals(text: string): string {
  const at = text.indexOf("=");
  if (at < 0 || !SCHEME.test(text.slice(at + 1))) return text;
  return `${text.slice(0, at + 1)}${maskUrl(text.slice(at + 1))}`;
}

function isHeaderSetting(value: unknown): value is HeaderSetting {
  return typeof value === "string" || (typeof value === "object" && value !== null && "value" in value);
}

function maskedHeader(setting: HeaderSetting): HeaderSetting {
  return typeof setting === "string" ? URL_MASK : { ...setting, value: URL_MASK };
}

/**
 * The secret strings of a model entry: the credentials of every URL in it and the values of its
 * secret headers. The run log masks them in every line, as it does API keys.
 */
export function configSecrets(config: unknown): string[] {
  const found: string[] = [];
  collectSecrets(config, undefined, found);
  return [...new Set(found)];
}

function collectSecrets(value: unknown, key: string | undefined, found: string[]): void {
  if (typeof value === "string") {
    if (SCHEME.test(value)) found.push(...urlSecrets(value));
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, undefined, found);
    return;
  }
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (key === "headers" && isHeaderSetting(item)) {
      if (isSecretHeader(name, item))
        found.push(...headerSecrets(typeof item === "string" ? item : item.value));
    } else {
      collectSecrets(item, name, found);
    }
  }
}

/** A header value, and its credentials alone when it has a scheme (`Bearer <token>`). */
function headerSecrets(value: string): string[] {
  const scheme = /^(bearer|basic|token|digest)\s+(\S+)$/i.exec(value);
  return scheme ? [value, scheme[2]!] : [value];
}
