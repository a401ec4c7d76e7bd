/**
 * The gold answers a case offers: its expected answer, or several when the expected answer is a
 * JSON array of strings (a dataset column holding a list is rendered as JSON, see
 * src/core/template.ts). Scorers that accept several references take the best match.
 */

/** The references in `expected`: a JSON array of strings gives each, anything else is one. */
export function referenceList(expected: string): string[] {
  const text = expected.trim();
  if (!text.startsWith("[")) return [expected];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => typeof item === "string")) {
      return parsed;
    }
  } catch {
    // Not JSON: the text itself is the one reference.
  }
  return [expected];
}

/** "reference 2 of 3" for reasons, nothing when there is one reference. */
export function whichReference(index: number, count: number): string {
  return count === 1 ? "" : ` (best of ${count} references: #${index + 1})`;
}
