/**
 * The parts of a model entry every runner shares (id, generation parameters, price, hardware,
 * energy, rate limits), as zod pieces. Each runner builds its own schema from them (see
 * `RunnerDefinition.schema`); the suite format assembles the runners' schemas.
 */
import { z } from "zod";
import { Duration } from "./config-schema.ts";

/** Generation parameters shared by `defaults`, models and tasks (later levels override earlier). */
export const GenerationParams = z.strictObject({
  max_tokens: z.number().int().positive().optional().describe("Maximum output tokens per call"),
  temperature: z.number().min(0).max(2).optional().describe("Sampling temperature"),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  seed: z.number().int().optional().describe("Sampling seed, where the backend supports one"),
  stop: z.array(z.string()).optional().describe("Stop sequences"),
  stream: z.boolean().optional().describe("Stream the response (default true; TTFT needs it)"),
  timeout: Duration.optional().describe("Per-call timeout (default 60s)"),
});
export type GenerationParams = z.infer<typeof GenerationParams>;

/** A model's price override, USD per million tokens. */
export const PriceConfig = z
  .strictObject({
    input_per_mtok: z.number().nonnegative().optional().describe("USD per million input tokens"),
    cached_input_per_mtok: z.number().nonnegative().optional(),
    cache_write_per_mtok: z.number().nonnegative().optional(),
    output_per_mtok: z.number().nonnegative().optional().describe("USD per million output tokens"),
    reasoning_per_mtok: z.number().nonnegative().optional(),
  })
  .describe("Price override in USD per million tokens");
export type PriceConfig = z.infer<typeof PriceConfig>;

/** The largest `hardware.power_w` accepted: beyond 5 kW it is not one device's power. */
export const MAX_POWER_W = 5000;

/** Hardware and electricity figures: watts, USD per hour, USD per kWh, PUE. */
export const HardwareConfig = z
  .strictObject({
    name: z.string().optional(),
    power_w: z
      .number()
      .positive("the device's power while busy, in watts: it can't be 0 or negative")
      .max(MAX_POWER_W, "more than 5 kW is not one device's power: watts, not milliwatts?")
      .optional()
      .describe("Device power in watts while busy (0 < W ≤ 5000), for modelled energy"),
    usd_per_hour: z.number().nonnegative().optional().describe("Amortised hardware or cloud $/hour"),
    usd_per_kwh: z.number().nonnegative().optional().describe("Electricity price"),
    pue: z.number().min(1).optional(),
  })
  .describe("Hardware and electricity figures for local cost and energy");
export type HardwareConfig = z.infer<typeof HardwareConfig>;

/** How a model's energy is measured (local) or estimated (API). */
export const EnergyConfig = z
  .strictObject({
    method: z
      .enum(["auto", "modelled", "none"])
      .optional()
      .describe(
        "auto (default): local models use the best meter the host offers (DCGM URL, NVML, nvidia-smi, RAPL, " +
          "else modelled: hardware.power_w, or the CPU's power table × its measured CPU time, or a GPU's rated power); " +
          "API models use published estimates. modelled: skip the meters. none: off",
      ),
    dcgm_url: z
      .url()
      .optional()
      .describe("DCGM exporter /metrics URL (how a remote server's GPU is measured)"),
    gpus: z.array(z.number().int().nonnegative()).optional().describe("GPU indices to measure (default all)"),
    idle: Duration.optional().describe(
      "Idle-power measurement before the model's calls (default 3s; 0: skip)",
    ),
    utilisation: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "Utilisation for modelled energy from hardware.power_w (default: measured CPU time on a CPU, else 1)",
      ),
    carbon_g_per_kwh: z
      .number()
      .nonnegative("grams of CO2e per kWh can't be negative")
      .max(2000, "no grid emits more than ~1,200 gCO2e/kWh (coal): grams per kWh, not per MWh?")
      .optional()
      .describe(
        "Grid carbon intensity, gCO2e/kWh, for carbon per call (default 436: world average 2022, Ember)",
      ),
    wh_per_query: z.number().positive().optional().describe("API models: your own per-query estimate, Wh"),
    wh_per_output_token: z
      .number()
      .positive()
      .optional()
      .describe("API models: your own per-token estimate, Wh"),
  })
  .describe("How energy is measured or estimated for this model");
export type EnergyConfig = z.infer<typeof EnergyConfig>;

/**
 * Fields every model entry has, whatever its runner: spread them first into a runner's
 * `z.strictObject({...modelFields, runner: z.literal("<kind>"), …})`.
 */
export const modelFields = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/)
    .describe("Unique name of this model in the suite (letters, digits, . _ : @ / -)"),
  label: z.string().optional().describe("Display name in reports"),
  concurrency: z.number().int().positive().optional().describe("Calls in flight at once for this model"),
  params: GenerationParams.optional().describe("Generation parameters for this model"),
  extra_body: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Extra fields merged into every request body as is"),
  price: PriceConfig.optional(),
  hardware: HardwareConfig.optional(),
  energy: EnergyConfig.optional(),
  ignore_grammar: z
    .boolean()
    .optional()
    .describe(
      "Send this model the tasks' prompts without their GBNF grammar (the hosted APIs cannot apply one): " +
        "the prompt alone constrains its answer",
    ),
  rpm: z.number().positive().optional().describe("Requests per minute this model may be sent (rate limit)"),
  tpm: z
    .number()
    .positive()
    .optional()
    .describe("Tokens per minute (input + max output) this model may be sent"),
};

const ModelConfigBase = z.object({ ...modelFields, runner: z.string() });
/** What the engine, cost and energy read of any model entry: the shared fields and its runner kind. */
export type ModelConfigBase = z.infer<typeof ModelConfigBase>;
