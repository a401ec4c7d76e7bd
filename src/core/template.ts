/**
 * Prompt templates: `{{var}}`, `{{ var }}` and dotted paths `{{a.b}}` filled from a dataset row.
 * Strings go in as they are (no HTML escaping: prompts are not HTML), objects and arrays as
 * JSON, null as the empty string. A template is compiled once into parts; rendering is a loop.
 */

const VARIABLE = /\{\{\s*([\w$-]+(?:\.[\w$-]+)*)\s*\}\}/g;

/** Thrown by `render` when the values lack a variable of the template. */
export class TemplateError extends Error {
  readonly variable: string;

  constructor(variable: string, template: string) {
    super(`undefined template variable \`${variable}\` in ${JSON.stringify(truncate(template))}`);
    this.name = "TemplateError";
    this.variable = variable;
  }
}

export interface CompiledTemplate {
  readonly source: string;
  /** Variables in order of first use, each once, dotted paths as written. */
  readonly variables: readonly string[];
  /** Fills the template; throws `TemplateError` on the first variable `values` lacks. */
  render(values: Readonly<Record<string, unknown>>): string;
}

/** Compiles `source` once; text outside `{{…}}` is kept verbatim. */
export function compileTemplate(source: string): CompiledTemplate {
  const literals: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of source.matchAll(VARIABLE)) {
    literals.push(source.slice(last, match.index));
    names.push(match[1]!);
    last = match.index + match[0].length;
  }
  literals.push(source.slice(last));
  const paths = names.map((name) => name.split("."));
  const variables = [...new Set(names)];
  if (names.length === 0) return { source, variables, render: () => source };

  const render = (values: Readonly<Record<string, unknown>>): string => {
    let out = literals[0]!;
    for (let i = 0; i < paths.length; i++) {
      const value = lookupVariable(values, names[i]!, paths[i]!);
      if (value === undefined) throw new TemplateError(names[i]!, source);
      out += formatTemplateValue(value) + literals[i + 1]!;
    }
    return out;
  };
  return { source, variables, render };
}

/** The variables `source` uses, in order of first use, each once. */
export function templateVariables(source: string): string[] {
  return [...compileTemplate(source).variables];
}

/** Compiles and renders in one go; compile once with `compileTemplate` when rendering many rows. */
export function renderTemplate(source: string, values: Readonly<Record<string, unknown>>): string {
  return compileTemplate(source).render(values);
}

/**
 * The value of a variable in `values`, or undefined when absent. A key that contains dots
 * itself (a CSV header `a.b`) wins over the path; only own properties count.
 */
export function lookupVariable(
  values: Readonly<Record<string, unknown>>,
  name: string,
  path: readonly string[] = name.split("."),
): unknown {
  if (Object.hasOwn(values, name)) return values[name];
  let current: unknown = values;
  for (const key of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** How a row value appears in a prompt: strings as is, null empty, objects as JSON. */
export function formatTemplateValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
