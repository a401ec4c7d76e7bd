/**
 * Writes a LoRA adapter GGUF with deterministic random weights for a base model, in the layout
 * llama.cpp's `src/llama-adapter.cpp` accepts: `general.type` "adapter", `adapter.type` "lora",
 * `adapter.lora.alpha`, and for each adapted weight W (ggml shape [n_in, n_out]) a pair
 * `<W>.lora_a` [n_in, rank] and `<W>.lora_b` [rank, n_out]; llama.cpp adds
 * scale·(alpha/rank)·B·A·x to W·x. For tests of per-request LoRA, not for quality.
 */
import { type GgufMetadataValue, gguf } from "../gguf/gguf-format.ts";
import { readGgufHeader } from "../gguf/gguf-reader.ts";
import { type GgufTensorSource, writeGguf } from "../gguf/gguf-writer.ts";
import { uniformTensor } from "./random-tensors.ts";

/** A base-model tensor's name and ggml shape (dims[0] = n_in). */
export interface BaseTensorShape {
  name: string;
  dims: readonly number[];
}

export interface LoraAdapterOptions {
  /** Base model GGUF: its architecture and tensor shapes are read from its header. */
  baseModelPath?: string;
  /** Or the base model's tensor shapes given directly (with `architecture`). */
  baseTensors?: readonly BaseTensorShape[];
  /** `general.architecture` of the base model (default: read from it, else "llama"). */
  architecture?: string;
  /** LoRA rank r (default 4). */
  rank?: number;
  /** `adapter.lora.alpha`; the effective scale is alpha/rank (default: rank, i.e. 1). */
  alpha?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /**
   * Which weights to adapt, by name without block prefix and `.weight` suffix: "attn_q" matches
   * every `blk.N.attn_q.weight`, "output" matches `output.weight`.
   * Default: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down.
   */
  targets?: readonly string[];
  /**
   * Half-width of the uniform A and B weights (default 0.5): large enough that the adapter
   * visibly changes a small model's greedy output.
   */
  magnitude?: number;
  /** `general.name` of the adapter (default "opbench-test-lora"). */
  name?: string;
}

export const DEFAULT_LORA_TARGETS: readonly string[] = [
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
];

/**
 * Writes the adapter GGUF to `path`. Same options and base → byte-identical file.
 * @returns the file size in bytes and the base tensors adapted.
 */
export async function writeLoraAdapter(
  path: string,
  options: LoraAdapterOptions,
): Promise<{ bytes: number; adapted: string[] }> {
  const rank = options.rank ?? 4;
  const seed = options.seed ?? 1;
  const magnitude = options.magnitude ?? 0.5;
  const targets = options.targets ?? DEFAULT_LORA_TARGETS;
  if (!Number.isInteger(rank) || rank < 1) throw new Error("LoRA rank must be a positive integer");
  let architecture = options.architecture;
  let base: readonly BaseTensorShape[];
  if (options.baseModelPath !== undefined) {
    const header = await readGgufHeader(options.baseModelPath);
    const arch = header.metadata.get("general.architecture");
    architecture ??= arch?.type === "string" ? String(arch.value) : undefined;
    base = header.tensors;
  } else if (options.baseTensors !== undefined) {
    base = options.baseTensors;
  } else {
    throw new Error("writeLoraAdapter needs baseModelPath or baseTensors");
  }

  const tensors: GgufTensorSource[] = [];
  const adapted: string[] = [];
  for (const target of targets) {
    if (target === "token_embd") throw new Error("LoRA on token_embd is not supported by this writer");
    const pattern = new RegExp(`^(blk\\.\\d+\\.)?${escapeRegExp(target)}\\.weight$`);
    const matches = base.filter((t) => pattern.test(t.name));
    if (matches.length === 0) throw new Error(`LoRA target "${target}" matches no base tensor`);
    for (const t of matches) {
      const [nIn, nOut, ...rest] = t.dims;
      if (nIn === undefined || nOut === undefined || rest.some((d) => d !== 1)) {
        throw new Error(`LoRA target ${t.name} is not a matrix (dims ${t.dims.join("x")})`);
      }
      const weight = t.name.slice(0, -".weight".length);
      tensors.push(
        uniformTensor(seed, `${t.name}.lora_a`, [nIn, rank], magnitude, "F32"),
        uniformTensor(seed, `${t.name}.lora_b`, [rank, nOut], magnitude, "F32"),
      );
      adapted.push(weight);
    }
  }
  const metadata: [string, GgufMetadataValue][] = [
    ["general.architecture", gguf.string(architecture ?? "llama")],
    ["general.type", gguf.string("adapter")],
    ["general.name", gguf.string(options.name ?? "opbench-test-lora")],
    ["adapter.type", gguf.string("lora")],
    ["adapter.lora.alpha", gguf.float32(options.alpha ?? rank)],
  ];
  const { bytes } = await writeGguf(path, { metadata, tensors });
  return { bytes, adapted };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
