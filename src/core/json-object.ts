/** Narrowing parsed JSON (logged API calls, tool-call arguments) to an object. */

/** Whether `value` is a JSON object: not null, not an array. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
