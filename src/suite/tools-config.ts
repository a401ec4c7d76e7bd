/**
 * A task's `tools:` and `tool_choice:`: the functions offered to the model, in OpenAI's function
 * tool form (`{type: function, function: {...}}`) or bare (`{name, description, parameters}`),
 * checked (parameters a JSON Schema of an object, names unique, tool_choice naming an offered
 * function) and normalised to the runner contract's `ToolDefinition`.
 */
import { z } from "zod";
import { JsonSchemaObject } from "../core/config-schema.ts";
import type { ToolChoice, ToolDefinition } from "../core/runner.ts";
import { jsonSchemaProblem } from "../scoring/ajv.ts";
import type { IssueDraft } from "./errors.ts";
import type { PathSegment } from "./yaml-positions.ts";

const FunctionName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "a function name: 1 to 64 letters, digits, _ or -")
  .describe("Function name (letters, digits, _ and -; at most 64)");

const FunctionFields = {
  name: FunctionName,
  description: z.string().optional().describe("What the function does, for the model"),
  parameters: JsonSchemaObject.optional().describe('JSON Schema of the arguments (type: "object")'),
};

export const ToolConfig = z.union([
  z
    .strictObject({
      type: z.literal("function"),
      function: z.strictObject({ ...FunctionFields, strict: z.boolean().optional() }),
    })
    .describe("OpenAI function tool: {type: function, function: {name, description, parameters}}"),
  z.strictObject(FunctionFields).describe("A bare function: {name, description, parameters}"),
]);
export type ToolConfig = z.infer<typeof ToolConfig>;

export const ToolChoiceConfig = z
  .union([
    z.enum(["auto", "none", "required"]),
    z.strictObject({ name: FunctionName }),
    z.strictObject({ type: z.literal("function"), function: z.strictObject({ name: FunctionName }) }),
  ])
  .describe("auto (default), none, required, or a function the model must call: {name: ...}");
export type ToolChoiceConfig = z.infer<typeof ToolChoiceConfig>;

/** The task fields, spread into the task schema. */
export const toolTaskFields = {
  tools: z.array(ToolConfig).optional().describe("Functions offered to the model (OpenAI function form)"),
  tool_choice: ToolChoiceConfig.optional(),
};

/** A tool entry as the runner contract's definition. */
export function toolDefinition(config: ToolConfig): ToolDefinition {
  const fields = "function" in config ? config.function : config;
  const tool: ToolDefinition = { name: fields.name };
  if (fields.description !== undefined) tool.description = fields.description;
  if (fields.parameters !== undefined) tool.parameters = fields.parameters;
  return tool;
}

export function toolChoice(config: ToolChoiceConfig): ToolChoice {
  if (typeof config === "string") return config;
  return { name: "function" in config ? config.function.name : config.name };
}

/**
 * The task's tools and tool choice, with a positioned issue for each parameters schema that is
 * not a JSON Schema of an object, each name offered twice, and a tool_choice that names no tool
 * (or asks for a call with no tools).
 */
export function resolveTools(
  task: { tools?: ToolConfig[] | undefined; tool_choice?: ToolChoiceConfig | undefined },
  taskIndex: number,
): { tools?: ToolDefinition[]; toolChoice?: ToolChoice; issues: IssueDraft[] } {
  const issues: IssueDraft[] = [];
  const tools = task.tools?.map(toolDefinition);
  const first = new Map<string, number>();
  for (const [index, tool] of (tools ?? []).entries()) {
    const at: PathSegment[] = ["tasks", taskIndex, "tools", index];
    const fieldPath = (field: string): PathSegment[] =>
      "function" in task.tools![index]! ? [...at, "function", field] : [...at, field];
    const earlier = first.get(tool.name);
    if (earlier !== undefined) {
      issues.push({
        path: fieldPath("name"),
        at: "value",
        message: `the function "${tool.name}" is offered twice (also tools[${earlier}])`,
        expected: "function names unique within the task",
      });
    } else first.set(tool.name, index);
    if (tool.parameters !== undefined) {
      const problem = parametersProblem(tool.parameters);
      if (problem) {
        issues.push({
          path: fieldPath("parameters"),
          at: "value",
          message: problem,
          expected: 'a JSON Schema with type: "object"',
        });
      }
    }
  }
  const choice = task.tool_choice === undefined ? undefined : toolChoice(task.tool_choice);
  if (choice !== undefined && choice !== "none" && choice !== "auto") {
    const path: PathSegment[] = ["tasks", taskIndex, "tool_choice"];
    if (tools === undefined || tools.length === 0) {
      issues.push({
        path,
        at: "value",
        message: "tool_choice asks for a tool call, but the task offers no `tools`",
      });
    } else if (typeof choice !== "string" && !first.has(choice.name)) {
      issues.push({
        path,
        at: "value",
        message: `tool_choice names "${choice.name}", which is not among the task's tools`,
        expected: `one of ${[...first.keys()].map((n) => `"${n}"`).join(", ")}`,
      });
    }
  }
  return {
    ...(tools !== undefined && tools.length > 0 && { tools }),
    ...(choice !== undefined && { toolChoice: choice }),
    issues,
  };
}

function parametersProblem(schema: Record<string, unknown>): string | undefined {
  if (schema.type !== "object") {
    return `a function's parameters must be a JSON Schema of an object (type: "object"), got type ${JSON.stringify(schema.type ?? null)}`;
  }
  const problem = jsonSchemaProblem(schema);
  return problem === undefined ? undefined : `invalid JSON Schema: ${problem}`;
}
