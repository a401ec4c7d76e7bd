/** Small helpers shared by the scorers: the scorer's name and quoting text in reasons. */

/** A scorer's name in records and summaries: the config's `name`, else its type. */
export function scorerName(config: { type: string; name?: string | undefined }): string {
  return config.name ?? config.type;
}

/**
 * Quotes text for a reason, JSON-style (so whitespace and control characters are visible),
 * cut to `maxChars` characters with an ellipsis.
 */
export function quote(text: string, maxChars = 60): string {
  // Code points never outnumber UTF-16 units: a short text needs no splitting.
  if (text.length <= maxChars) return JSON.stringify(text);
  // A code point is at most two UTF-16 units: never split a whole (possibly 10 MB) output.
  const chars = [...(text.length > maxChars * 2 ? text.slice(0, maxChars * 2) : text)];
  return chars.length <= maxChars && text.length <= maxChars * 2
    ? JSON.stringify(text)
    : `${JSON.stringify(chars.slice(0, maxChars).join(""))}…`;
}

/** The reason given when a scorer needs a gold answer and the case has none. */
export const NO_EXPECTED = "no expected answer";
