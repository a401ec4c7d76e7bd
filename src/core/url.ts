/**
 * URLs as the suite gives them may carry credentials: user info (`http://user:pw@host`) and
 * query parameters (`?key=…`, `?sig=…`). The real URL is kept in memory for requests only;
 * everything recorded or printed goes through {@link maskUrl}.
 */

/** What a masked credential reads as inside a URL (URL-safe, unlike `[REDACTED]`). */
export const URL_MASK = "***";

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/**
 * `url` fit for records and messages: user info replaced by {@link URL_MASK}, every query
 * parameter's value replaced by it (names kept, so `?api-version=***` still says what was
 * configured), the fragment dropped, a trailing slash trimmed. Not a URL: returned as is when it
 * has no `scheme://`, else as "(unparseable URL)".
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? "(unparseable URL)" : url;
  }
  const userInfo = parsed.username || parsed.password ? `${URL_MASK}@` : "";
  const query = [...parsed.searchParams.keys()].map((name) => `${encodeURIComponent(name)}=${URL_MASK}`);
  const path = parsed.pathname.replace(/\/+$/, "");
  const authority = parsed.host ? `//${userInfo}${parsed.host}` : "";
  return `${parsed.protocol}${authority}${path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
}

/** `text` with every URL in it masked by {@link maskUrl} (for error messages that quote one). */
export function maskUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => maskUrl(found));
}

/** Whether `url` holds anything {@link maskUrl} would hide (user info or query values). */
export function urlHasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== "" || parsed.password !== "" || parsed.search !== "";
  } catch {
    return false;
  }
}

/** Names (of query parameters, of headers) that suggest a secret value. */
export const SECRET_NAME =
  /authorization|key|token|secret|cookie|passw|signature|sig\b|credential|auth|code/i;

/** Query values at least this long are taken for secrets whatever their parameter's name. */
const OPAQUE_VALUE_CHARS = 16;

/**
 * The secret strings inside `url`, for masking wherever they could be echoed back (a server
 * quoting the request): user name and password (decoded and as written) and the Basic
 * credentials sent for them, and the values of query parameters named like a secret (`key`,
 * `token`, `sig` …) or long enough to be one. Every query value is masked inside a URL anyway
 * ({@link maskUrl}); this list is searched for in free text, where `2024-06-01` may be a date.
 */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found = [parsed.username, parsed.password, safeDecode(parsed.username), safeDecode(parsed.password)];
  found.push(basicAuthorization(parsed)?.slice("Basic ".length) ?? "");
  const raw = new Map(
    parsed.search
      .slice(1)
      .split("&")
      .map((pair) => [
        safeDecode(pair.slice(0, Math.max(0, pair.indexOf("=")))),
        pair.slice(pair.indexOf("=") + 1),
      ]),
  );
  for (const [name, value] of parsed.searchParams) {
    if (!SECRET_NAME.test(name) && value.length < OPAQUE_VALUE_CHARS) continue;
    found.push(value, raw.get(name) ?? "");
  }
  return [...new Set(found.filter((value) => value.length > 0))];
}

/** Joined URLs by base and path: runners join the same pair on every call. */
const joinedUrls = new Map<string, string>();

/**
 * `base` with `path` appended to its path, keeping its query: `https://h/v1?api-version=x` +
 * `/chat/completions` → `https://h/v1/chat/completions?api-version=x`. A query in `path`
 * (`…?alt=sse`) is added to the base's.
 */
export function joinUrl(base: string, path: string): string {
  const key = `${base}\n${path}`;
  let joined = joinedUrls.get(key);
  if (joined === undefined) {
    joined = joinUrlUncached(base, path);
    if (joinedUrls.size >= 256) joinedUrls.clear();
    joinedUrls.set(key, joined);
  }
  return joined;
}

function joinUrlUncached(base: string, path: string): string {
  const url = new URL(base);
  const [pathPart = "", query] = path.split("?", 2);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${pathPart.replace(/^\/+/, "")}`;
  for (const [name, value] of new URLSearchParams(query ?? "")) url.searchParams.append(name, value);
  url.hash = "";
  return url.toString();
}

/**
 * The `Authorization: Basic` value that the user info of `url` stands for (HTTP clients do not
 * send user info themselves), or undefined when it has none.
 */
export function basicAuthorization(url: URL): string | undefined {
  if (url.username === "" && url.password === "") return undefined;
  const credentials = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString("base64")}`;
}

/**
 * `url` ready for a GET with a client that refuses user info (fetch): the URL without it, and
 * the headers to send (`accept`, plus the `authorization` the user info stood for).
 */
export function credentialedGet(
  url: string,
  accept: string,
): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  const authorization = basicAuthorization(parsed);
  if (authorization === undefined) return { url, headers: { accept } };
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), headers: { accept, authorization } };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
