/**
 * What a run's reproducibility record says about a GGUF model: architecture, quantisation,
 * parameter count, context length, and the small metadata values.
 */
import { GGML_TYPES, type GgufMetadataValue, LLAMA_FILE_TYPES } from "./gguf-format.ts";
import { type GgufHeader, readGgufHeader } from "./gguf-reader.ts";

/** Model facts from a GGUF header. Field names are snake_case because they go into run records. */
export interface GgufInfo {
  /** `general.architecture`, e.g. "llama". */
  architecture: string | null;
  /** `general.name`. */
  name: string | null;
  /** `general.type` ("model", "adapter", …) when present. */
  type: string | null;
  /** `general.file_type` (llama_ftype code). */
  file_type: number | null;
  /**
   * Human-readable quantisation, e.g. "Q4_K_M", "F16". From `general.file_type`; when that is
   * absent, the most common type among 2-D tensors followed by " (guessed)".
   */
  quantization: string | null;
  /** Total elements of all tensors (count of parameters). */
  parameter_count: number;
  /** `<arch>.context_length`: the training context, in tokens. */
  context_length: number | null;
  /** Entries of `tokenizer.ggml.tokens`. */
  vocab_size: number | null;
  n_tensors: number;
  gguf_version: number;
  /** Size of the file, in bytes. */
  file_bytes: number;
  /** Every scalar metadata value (arrays and strings over 256 characters left out); 64-bit ints as numbers. */
  kv: Record<string, string | number | boolean>;
}

const MAX_KV_STRING_CHARS = 256;

/** Reads a GGUF file's header (never its tensor data) and summarises it. */
export async function readGgufInfo(path: string): Promise<GgufInfo> {
  return summarizeGgufHeader(await readGgufHeader(path));
}

/** Pure summary of an already-read header (see `readGgufInfo`). */
export function summarizeGgufHeader(header: GgufHeader): GgufInfo {
  const md = header.metadata;
  const architecture = scalarString(md.get("general.architecture"));
  const fileType = scalarNumber(md.get("general.file_type"));
  const tokens = md.get("tokenizer.ggml.tokens");
  let parameterCount = 0;
  for (const t of header.tensors) parameterCount += t.dims.reduce((a, b) => a * b, 1);
  const kv: Record<string, string | number | boolean> = {};
  for (const [key, value] of md) {
    if (value.type === "array") continue;
    const v = value.value;
    if (typeof v === "string" && v.length > MAX_KV_STRING_CHARS) continue;
    kv[key] = typeof v === "bigint" ? Number(v) : v;
  }
  return {
    architecture,
    name: scalarString(md.get("general.name")),
    type: scalarString(md.get("general.type")),
    file_type: fileType,
    quantization:
      fileType !== null ? (LLAMA_FILE_TYPES[fileType] ?? `file_type ${fileType}`) : guessQuantization(header),
    parameter_count: parameterCount,
    context_length: architecture ? scalarNumber(md.get(`${architecture}.context_length`)) : null,
    vocab_size: tokens?.type === "array" ? tokens.values.length : null,
    n_tensors: header.tensors.length,
    gguf_version: header.version,
    file_bytes: header.fileBytes,
    kv,
  };
}

function guessQuantization(header: GgufHeader): string | null {
  const elementsByType = new Map<number, number>();
  for (const t of header.tensors) {
    if (t.dims.length < 2) continue;
    const n = t.dims.reduce((a, b) => a * b, 1);
    elementsByType.set(t.typeCode, (elementsByType.get(t.typeCode) ?? 0) + n);
  }
  let best: number | undefined;
  for (const [code, n] of elementsByType) {
    if (best === undefined || n > (elementsByType.get(best) ?? 0)) best = code;
  }
  if (best === undefined) return null;
  return `${GGML_TYPES[best]?.name ?? `type${best}`} (guessed)`;
}

function scalarString(value: GgufMetadataValue | undefined): string | null {
  return value && value.type !== "array" && typeof value.value === "string" ? value.value : null;
}

function scalarNumber(value: GgufMetadataValue | undefined): number | null {
  if (!value || value.type === "array") return null;
  const v = value.value;
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null;
}
