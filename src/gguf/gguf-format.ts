/**
 * The GGUF v3 file format: value types, tensor types and metadata values shared by the writer
 * and the reader. Codes follow llama.cpp's `ggml/include/gguf.h` (gguf_type), `ggml.h`
 * (ggml_type) and `include/llama.h` (llama_ftype).
 */

export const GGUF_MAGIC = "GGUF";
export const GGUF_VERSION = 3;
/** Alignment of the tensor data section when `general.alignment` is absent, in bytes. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF metadata value types, by their on-disk code (gguf_type). */
export const GGUF_VALUE_TYPE_CODES = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPE_CODES;
/** Every value type except `array` (GGUF arrays cannot nest). */
export type GgufScalarTypeName = Exclude<GgufValueTypeName, "array">;
/** 64-bit integers are bigints when read back; other numbers are JS numbers. */
export type GgufScalar = number | bigint | boolean | string;

/** One metadata value with its GGUF type. */
export type GgufMetadataValue =
  | { type: GgufScalarTypeName; value: GgufScalar }
  | { type: "array"; itemType: GgufScalarTypeName; values: readonly GgufScalar[] };

/** Builders for typed metadata values, e.g. `gguf.uint32(4096)`, `gguf.array("string", tokens)`. */
export const gguf = {
  uint8: (value: number): GgufMetadataValue => ({ type: "uint8", value }),
  int8: (value: number): GgufMetadataValue => ({ type: "int8", value }),
  uint16: (value: number): GgufMetadataValue => ({ type: "uint16", value }),
  int16: (value: number): GgufMetadataValue => ({ type: "int16", value }),
  uint32: (value: number): GgufMetadataValue => ({ type: "uint32", value }),
  int32: (value: number): GgufMetadataValue => ({ type: "int32", value }),
  float32: (value: number): GgufMetadataValue => ({ type: "float32", value }),
  bool: (value: boolean): GgufMetadataValue => ({ type: "bool", value }),
  string: (value: string): GgufMetadataValue => ({ type: "string", value }),
  uint64: (value: number | bigint): GgufMetadataValue => ({ type: "uint64", value }),
  int64: (value: number | bigint): GgufMetadataValue => ({ type: "int64", value }),
  float64: (value: number): GgufMetadataValue => ({ type: "float64", value }),
  array: (itemType: GgufScalarTypeName, values: readonly GgufScalar[]): GgufMetadataValue => ({
    type: "array",
    itemType,
    values,
  }),
};

/** Name of a gguf_type code, or undefined for an unknown code. */
export function valueTypeName(code: number): GgufValueTypeName | undefined {
  for (const [name, c] of Object.entries(GGUF_VALUE_TYPE_CODES)) {
    if (c === code) return name as GgufValueTypeName;
  }
  return undefined;
}

/** Size of a fixed-size scalar on disk, in bytes (strings are variable: undefined). */
export function scalarByteSize(type: GgufScalarTypeName): number | undefined {
  switch (type) {
    case "uint8":
    case "int8":
    case "bool":
      return 1;
    case "uint16":
    case "int16":
      return 2;
    case "uint32":
    case "int32":
    case "float32":
      return 4;
    case "uint64":
    case "int64":
    case "float64":
      return 8;
    case "string":
      return undefined;
  }
}

/**
 * ggml tensor types by code: name, elements per block, bytes per block
 * (gguf-py `GGML_QUANT_SIZES`).
 */
export const GGML_TYPES: Readonly<Record<number, { name: string; blockSize: number; typeSize: number }>> = {
  0: { name: "F32", blockSize: 1, typeSize: 4 },
  1: { name: "F16", blockSize: 1, typeSize: 2 },
  2: { name: "Q4_0", blockSize: 32, typeSize: 18 },
  3: { name: "Q4_1", blockSize: 32, typeSize: 20 },
  6: { name: "Q5_0", blockSize: 32, typeSize: 22 },
  7: { name: "Q5_1", blockSize: 32, typeSize: 24 },
  8: { name: "Q8_0", blockSize: 32, typeSize: 34 },
  9: { name: "Q8_1", blockSize: 32, typeSize: 36 },
  10: { name: "Q2_K", blockSize: 256, typeSize: 84 },
  11: { name: "Q3_K", blockSize: 256, typeSize: 110 },
  12: { name: "Q4_K", blockSize: 256, typeSize: 144 },
  13: { name: "Q5_K", blockSize: 256, typeSize: 176 },
  14: { name: "Q6_K", blockSize: 256, typeSize: 210 },
  15: { name: "Q8_K", blockSize: 256, typeSize: 292 },
  16: { name: "IQ2_XXS", blockSize: 256, typeSize: 66 },
  17: { name: "IQ2_XS", blockSize: 256, typeSize: 74 },
  18: { name: "IQ3_XXS", blockSize: 256, typeSize: 98 },
  19: { name: "IQ1_S", blockSize: 256, typeSize: 50 },
  20: { name: "IQ4_NL", blockSize: 32, typeSize: 18 },
  21: { name: "IQ3_S", blockSize: 256, typeSize: 110 },
  22: { name: "IQ2_S", blockSize: 256, typeSize: 82 },
  23: { name: "IQ4_XS", blockSize: 256, typeSize: 136 },
  24: { name: "I8", blockSize: 1, typeSize: 1 },
  25: { name: "I16", blockSize: 1, typeSize: 2 },
  26: { name: "I32", blockSize: 1, typeSize: 4 },
  27: { name: "I64", blockSize: 1, typeSize: 8 },
  28: { name: "F64", blockSize: 1, typeSize: 8 },
  29: { name: "IQ1_M", blockSize: 256, typeSize: 56 },
  30: { name: "BF16", blockSize: 1, typeSize: 2 },
  34: { name: "TQ1_0", blockSize: 256, typeSize: 54 },
  35: { name: "TQ2_0", blockSize: 256, typeSize: 66 },
  39: { name: "MXFP4", blockSize: 32, typeSize: 17 },
  40: { name: "NVFP4", blockSize: 64, typeSize: 36 },
  41: { name: "Q1_0", blockSize: 128, typeSize: 18 },
  42: { name: "Q2_0", blockSize: 64, typeSize: 18 },
};

/** The tensor types this writer can produce, by ggml_type code. */
export const WRITABLE_TENSOR_TYPES = { F32: 0, F16: 1 } as const;
export type WritableTensorType = keyof typeof WRITABLE_TENSOR_TYPES;

/** Human-readable names of `general.file_type` values (llama_ftype; "MOSTLY_" dropped). */
export const LLAMA_FILE_TYPES: Readonly<Record<number, string>> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  4: "Q4_1_SOME_F16",
  7: "Q8_0",
  8: "Q5_0",
  9: "Q5_1",
  10: "Q2_K",
  11: "Q3_K_S",
  12: "Q3_K_M",
  13: "Q3_K_L",
  14: "Q4_K_S",
  15: "Q4_K_M",
  16: "Q5_K_S",
  17: "Q5_K_M",
  18: "Q6_K",
  19: "IQ2_XXS",
  20: "IQ2_XS",
  21: "Q2_K_S",
  22: "IQ3_XS",
  23: "IQ3_XXS",
  24: "IQ1_S",
  25: "IQ4_NL",
  26: "IQ3_S",
  27: "IQ3_M",
  28: "IQ2_S",
  29: "IQ2_M",
  30: "IQ4_XS",
  31: "IQ1_M",
  32: "BF16",
  36: "TQ1_0",
  37: "TQ2_0",
  38: "MXFP4_MOE",
  39: "NVFP4",
  40: "Q1_0",
  41: "Q2_0",
};

/**
 * Bytes of tensor data for a shape in ggml order (dims[0] innermost) and a ggml type code.
 * Throws when the type is unknown or dims[0] is not a whole number of blocks.
 */
export function tensorByteSize(dims: readonly number[], typeCode: number): number {
  const type = GGML_TYPES[typeCode];
  if (!type) throw new Error(`unknown ggml tensor type ${typeCode}`);
  const rowElements = dims[0] ?? 1;
  if (rowElements % type.blockSize !== 0) {
    throw new Error(
      `tensor row of ${rowElements} elements is not a multiple of ${type.name} block size ${type.blockSize}`,
    );
  }
  let rows = 1;
  for (const d of dims.slice(1)) rows *= d;
  return (rowElements / type.blockSize) * type.typeSize * rows;
}

/** `n` rounded up to a multiple of `alignment` (GGML_PAD). */
export function padTo(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
