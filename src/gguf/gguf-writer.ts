/**
 * A small, general GGUF v3 writer: header, typed metadata (all GGUF value types, arrays
 * included), tensor infos, alignment padding and F32/F16 tensor data. Tensor values are pulled
 * from generators and streamed to the file, so no tensor is ever held in memory whole.
 * Layout per llama.cpp `ggml/include/gguf.h` and gguf-py `gguf_writer.py`.
 */
import { type FileHandle, open } from "node:fs/promises";
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_CODES,
  GGUF_VERSION,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufScalarTypeName,
  padTo,
  tensorByteSize,
  WRITABLE_TENSOR_TYPES,
  type WritableTensorType,
} from "./gguf-format.ts";

/** One tensor to write. Its values are produced lazily, in storage order. */
export interface GgufTensorSource {
  name: string;
  /** Shape in ggml order: dims[0] is the contiguous (row) dimension, e.g. `[n_embd, n_vocab]`. */
  dims: readonly number[];
  type: WritableTensorType;
  /** Yields the values in chunks of any size; together they must hold exactly the element count. */
  values: () => Iterable<ArrayLike<number>>;
}

export interface GgufFileSpec {
  /** Metadata in file order. A `general.alignment` entry (uint32, power of 2) sets the data alignment. */
  metadata: ReadonlyArray<readonly [string, GgufMetadataValue]>;
  tensors: readonly GgufTensorSource[];
}

/** Bytes buffered before each write to the file. */
const WRITE_CHUNK_BYTES = 1 << 20;

/**
 * Writes a GGUF v3 file at `path` (overwriting it).
 * @returns the file size in bytes.
 */
export async function writeGguf(path: string, spec: GgufFileSpec): Promise<{ bytes: number }> {
  const alignment = alignmentOf(spec.metadata);
  const names = new Set<string>();
  for (const [key] of spec.metadata) {
    if (names.has(key)) throw new Error(`duplicate GGUF metadata key "${key}"`);
    names.add(key);
  }
  const header = new ByteSink();
  header.raw(Buffer.from(GGUF_MAGIC, "latin1"));
  header.uint32(GGUF_VERSION);
  header.uint64(spec.tensors.length);
  header.uint64(spec.metadata.length);
  for (const [key, value] of spec.metadata) {
    header.string(key);
    writeMetadataValue(header, key, value);
  }
  const tensorBytes: number[] = [];
  let dataOffset = 0;
  const tensorNames = new Set<string>();
  for (const tensor of spec.tensors) {
    if (tensorNames.has(tensor.name)) throw new Error(`duplicate tensor name "${tensor.name}"`);
    tensorNames.add(tensor.name);
    if (tensor.dims.length < 1 || tensor.dims.length > 4) {
      throw new Error(`tensor "${tensor.name}": ${tensor.dims.length} dims (GGUF allows 1 to 4)`);
    }
    const bytes = tensorByteSize(tensor.dims, WRITABLE_TENSOR_TYPES[tensor.type]);
    header.string(tensor.name);
    header.uint32(tensor.dims.length);
    for (const d of tensor.dims) header.int64(d);
    header.int32(WRITABLE_TENSOR_TYPES[tensor.type]);
    header.uint64(dataOffset);
    tensorBytes.push(bytes);
    dataOffset += padTo(bytes, alignment);
  }

  const file = await open(path, "w");
  try {
    const out = new FileSink(file);
    await out.write(header.toBuffer());
    if (spec.tensors.length > 0) await out.write(Buffer.alloc(padTo(out.position, alignment) - out.position));
    for (const [i, tensor] of spec.tensors.entries()) {
      const expected = tensorBytes[i] ?? 0;
      const start = out.position;
      await writeTensorValues(out, tensor);
      const written = out.position - start;
      if (written !== expected) {
        throw new Error(`tensor "${tensor.name}": wrote ${written} bytes, its shape needs ${expected}`);
      }
      await out.write(Buffer.alloc(padTo(written, alignment) - written));
    }
    await out.flush();
    return { bytes: out.position };
  } finally {
    await file.close();
  }
}

function alignmentOf(metadata: GgufFileSpec["metadata"]): number {
  const entry = metadata.find(([key]) => key === "general.alignment");
  if (!entry) return GGUF_DEFAULT_ALIGNMENT;
  const value = entry[1];
  const n = value.type === "uint32" ? Number(value.value) : Number.NaN;
  if (!Number.isInteger(n) || n <= 0 || (n & (n - 1)) !== 0) {
    throw new Error("general.alignment must be a uint32 power of 2");
  }
  return n;
}

function writeMetadataValue(sink: ByteSink, key: string, value: GgufMetadataValue): void {
  sink.int32(GGUF_VALUE_TYPE_CODES[value.type]);
  if (value.type === "array") {
    if ((value.itemType as string) === "array") throw new Error(`metadata "${key}": arrays cannot nest`);
    sink.int32(GGUF_VALUE_TYPE_CODES[value.itemType]);
    sink.uint64(value.values.length);
    for (const item of value.values) writeScalar(sink, key, value.itemType, item);
  } else {
    writeScalar(sink, key, value.type, value.value);
  }
}

function writeScalar(sink: ByteSink, key: string, type: GgufScalarTypeName, value: GgufScalar): void {
  const bad = () => new Error(`metadata "${key}": ${JSON.stringify(String(value))} is not a valid ${type}`);
  if (type === "string") {
    if (typeof value !== "string") throw bad();
    sink.string(value);
    return;
  }
  if (type === "bool") {
    if (typeof value !== "boolean") throw bad();
    sink.raw(Buffer.of(value ? 1 : 0));
    return;
  }
  if (typeof value === "bigint") {
    if (type !== "uint64" && type !== "int64") throw bad();
    if (type === "uint64" ? value < 0n || value >= 1n << 64n : value < -(1n << 63n) || value >= 1n << 63n)
      throw bad();
    const buf = Buffer.alloc(8);
    if (type === "uint64") buf.writeBigUInt64LE(value);
    else buf.writeBigInt64LE(value);
    sink.raw(buf);
    return;
  }
  if (typeof value !== "number") throw bad();
  if (type === "float32" || type === "float64") {
    const buf = Buffer.alloc(type === "float32" ? 4 : 8);
    if (type === "float32") buf.writeFloatLE(value);
    else buf.writeDoubleLE(value);
    sink.raw(buf);
    return;
  }
  if (!Number.isSafeInteger(value)) throw bad();
  const buf = Buffer.alloc(
    { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, uint64: 8, int64: 8 }[type],
  );
  try {
    if (type === "uint8") buf.writeUInt8(value);
    else if (type === "int8") buf.writeInt8(value);
    else if (type === "uint16") buf.writeUInt16LE(value);
    else if (type === "int16") buf.writeInt16LE(value);
    else if (type === "uint32") buf.writeUInt32LE(value);
    else if (type === "int32") buf.writeInt32LE(value);
    else if (type === "uint64") buf.writeBigUInt64LE(BigInt(value));
    else buf.writeBigInt64LE(BigInt(value));
  } catch {
    throw bad();
  }
  sink.raw(buf);
}

async function writeTensorValues(out: FileSink, tensor: GgufTensorSource): Promise<void> {
  const f16 = tensor.type === "F16";
  for (const chunk of tensor.values()) {
    const buf = Buffer.alloc(chunk.length * (f16 ? 2 : 4));
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i] ?? 0;
      if (f16) buf.writeUInt16LE(float32ToFloat16Bits(v), i * 2);
      else buf.writeFloatLE(v, i * 4);
    }
    await out.write(buf);
  }
}

const f32Scratch = new Float32Array(1);
const f32Bits = new Uint32Array(f32Scratch.buffer);

/**
 * IEEE 754 binary16 bits of `value` (first rounded to binary32, then to nearest-even), as
 * numpy's `astype(float16)` and ggml's FP32→FP16 conversion do. Pure integer arithmetic, so the
 * result is the same on every platform.
 */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = f32Bits[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** Collects the (small) header in memory. */
class ByteSink {
  private readonly parts: Buffer[] = [];
  raw(buf: Buffer): void {
    this.parts.push(buf);
  }
  uint32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.parts.push(b);
  }
  int32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.parts.push(b);
  }
  uint64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.parts.push(b);
  }
  int64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    this.parts.push(b);
  }
  /** Length (uint64) then UTF-8 bytes, no terminator. */
  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.uint64(bytes.length);
    this.parts.push(bytes);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Buffers writes to a file in ~1 MiB pieces and tracks the position. */
class FileSink {
  position = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly file: FileHandle;
  constructor(file: FileHandle) {
    this.file = file;
  }
  async write(buf: Buffer): Promise<void> {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.position += buf.length;
    if (this.pendingBytes >= WRITE_CHUNK_BYTES) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    for (let done = 0; done < data.length; ) {
      const { bytesWritten } = await this.file.write(data, done, data.length - done);
      done += bytesWritten;
    }
  }
}
