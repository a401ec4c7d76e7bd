/**
 * A minimal GGUF reader: header, metadata and tensor infos, read in chunks so a multi-GB model
 * costs only its header. Tensor data can be decoded for F32/F16 tensors. Checks follow
 * llama.cpp `ggml/src/gguf.cpp` (versions 2 and 3; version 1 used 32-bit counts).
 */
import { type FileHandle, open } from "node:fs/promises";
import {
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufScalarTypeName,
  padTo,
  tensorByteSize,
  valueTypeName,
} from "./gguf-format.ts";

export interface GgufTensorInfo {
  name: string;
  /** Shape in ggml order: dims[0] is the contiguous (row) dimension. */
  dims: number[];
  /** ggml_type code, and its name (e.g. "F16", "Q4_K"; "type<code>" if unknown). */
  typeCode: number;
  typeName: string;
  /** Offset of the data from the start of the data section, in bytes. */
  offset: number;
  /** Size of the data, in bytes (undefined for an unknown type). */
  byteSize: number | undefined;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufMetadataValue>;
  tensors: GgufTensorInfo[];
  /** Alignment of the data section, in bytes. */
  alignment: number;
  /** Absolute file offset of the tensor data section, in bytes. */
  dataOffset: number;
  /** Size of the file, in bytes. */
  fileBytes: number;
}

/** GGUF's own limits (gguf.cpp): longer strings / arrays mean a corrupt file. */
const MAX_STRING_BYTES = 1024 * 1024 * 1024;
const MAX_ARRAY_ELEMENTS = 1024 * 1024 * 1024;
const READ_CHUNK_BYTES = 1 << 20;

/** Reads the header, metadata and tensor infos of the GGUF file at `path`. Throws on a malformed file. */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const file = await open(path, "r");
  try {
    const fileBytes = (await file.stat()).size;
    const r = new ChunkedReader(file, fileBytes, path);
    const magic = (await r.bytes(4)).toString("latin1");
    if (magic !== GGUF_MAGIC) throw new Error(`${path}: not a GGUF file (magic ${JSON.stringify(magic)})`);
    const version = await r.uint32();
    if (version !== 2 && version !== 3) throw new Error(`${path}: unsupported GGUF version ${version}`);
    const nTensors = await r.count("tensor count", Number.MAX_SAFE_INTEGER);
    const nKv = await r.count("metadata count", Number.MAX_SAFE_INTEGER);
    const metadata = new Map<string, GgufMetadataValue>();
    for (let i = 0; i < nKv; i++) {
      const key = await r.string();
      if (metadata.has(key)) throw new Error(`${path}: duplicate metadata key "${key}"`);
      const type = valueTypeName(await r.int32());
      if (type === undefined) throw new Error(`${path}: metadata "${key}" has an unknown type`);
      if (type === "array") {
        const itemType = valueTypeName(await r.int32());
        if (itemType === undefined || itemType === "array") {
          throw new Error(`${path}: metadata "${key}" is an array of an unsupported type`);
        }
        const n = await r.count(`length of "${key}"`, MAX_ARRAY_ELEMENTS);
        const values: GgufScalar[] = new Array(n);
        for (let j = 0; j < n; j++) values[j] = await r.scalar(itemType);
        metadata.set(key, { type: "array", itemType, values });
      } else {
        metadata.set(key, { type, value: await r.scalar(type) });
      }
    }
    const alignmentValue = metadata.get("general.alignment");
    let alignment = GGUF_DEFAULT_ALIGNMENT;
    if (alignmentValue) {
      const n = alignmentValue.type === "uint32" ? Number(alignmentValue.value) : 0;
      if (n <= 0 || (n & (n - 1)) !== 0)
        throw new Error(`${path}: general.alignment is not a uint32 power of 2`);
      alignment = n;
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < nTensors; i++) {
      const name = await r.string();
      const nDims = await r.uint32();
      if (nDims > 4) throw new Error(`${path}: tensor "${name}" has ${nDims} dims (max 4)`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await r.count(`dim of "${name}"`, Number.MAX_SAFE_INTEGER));
      const typeCode = await r.int32();
      const offset = await r.count(`offset of "${name}"`, Number.MAX_SAFE_INTEGER);
      const type = GGML_TYPES[typeCode];
      tensors.push({
        name,
        dims,
        typeCode,
        typeName: type?.name ?? `type${typeCode}`,
        offset,
        byteSize: type ? tensorByteSize(dims, typeCode) : undefined,
      });
    }
    const dataOffset = nTensors > 0 ? padTo(r.position, alignment) : r.position;
    return { version, metadata, tensors, alignment, dataOffset, fileBytes };
  } finally {
    await file.close();
  }
}

/** The values of one F32 or F16 tensor of a GGUF file, decoded to float32, in storage order. */
export async function readGgufTensorValues(
  path: string,
  header: GgufHeader,
  name: string,
): Promise<Float32Array> {
  const info = header.tensors.find((t) => t.name === name);
  if (!info) throw new Error(`${path}: no tensor "${name}"`);
  if (info.typeName !== "F32" && info.typeName !== "F16") {
    throw new Error(`${path}: tensor "${name}" is ${info.typeName}; only F32 and F16 can be decoded`);
  }
  const bytes = info.byteSize ?? 0;
  const buf = Buffer.alloc(bytes);
  const file = await open(path, "r");
  try {
    const { bytesRead } = await file.read(buf, 0, bytes, header.dataOffset + info.offset);
    if (bytesRead !== bytes) throw new Error(`${path}: tensor "${name}" runs past the end of the file`);
  } finally {
    await file.close();
  }
  const out = new Float32Array(bytes / (info.typeName === "F32" ? 4 : 2));
  for (let i = 0; i < out.length; i++) {
    out[i] = info.typeName === "F32" ? buf.readFloatLE(i * 4) : float16BitsToNumber(buf.readUInt16LE(i * 2));
  }
  return out;
}

/** The number an IEEE 754 binary16 bit pattern stands for. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Sequential little-endian reads over a file handle, refilled a chunk at a time. */
class ChunkedReader {
  /** Absolute file offset of the next unread byte. */
  position = 0;
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  private readonly file: FileHandle;
  private readonly fileBytes: number;
  private readonly path: string;

  constructor(file: FileHandle, fileBytes: number, path: string) {
    this.file = file;
    this.fileBytes = fileBytes;
    this.path = path;
  }

  /** The next `n` bytes (a view, valid until the next read). */
  async bytes(n: number): Promise<Buffer> {
    const start = this.position - this.bufStart;
    if (start + n > this.buf.length) {
      if (this.position + n > this.fileBytes) throw new Error(`${this.path}: truncated GGUF header`);
      const size = Math.min(Math.max(n, READ_CHUNK_BYTES), this.fileBytes - this.position);
      const next = Buffer.alloc(size);
      await this.file.read(next, 0, size, this.position);
      this.buf = next;
      this.bufStart = this.position;
    }
    const at = this.position - this.bufStart;
    this.position += n;
    return this.buf.subarray(at, at + n);
  }

  async uint32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  async int32(): Promise<number> {
    return (await this.bytes(4)).readInt32LE(0);
  }

  /** A uint64/int64 used as a count, size or offset: must be in [0, max]. */
  async count(what: string, max: number): Promise<number> {
    const n = (await this.bytes(8)).readBigInt64LE(0);
    if (n < 0n || n > BigInt(max)) throw new Error(`${this.path}: invalid ${what} (${n})`);
    return Number(n);
  }

  async string(): Promise<string> {
    const n = await this.count("string length", MAX_STRING_BYTES);
    return (await this.bytes(n)).toString("utf8");
  }

  async scalar(type: GgufScalarTypeName): Promise<GgufScalar> {
    switch (type) {
      case "uint8":
        return (await this.bytes(1)).readUInt8(0);
      case "int8":
        return (await this.bytes(1)).readInt8(0);
      case "uint16":
        return (await this.bytes(2)).readUInt16LE(0);
      case "int16":
        return (await this.bytes(2)).readInt16LE(0);
      case "uint32":
        return this.uint32();
      case "int32":
        return this.int32();
      case "float32":
        return (await this.bytes(4)).readFloatLE(0);
      case "bool":
        return (await this.bytes(1)).readUInt8(0) !== 0;
      case "string":
        return this.string();
      case "uint64":
        return (await this.bytes(8)).readBigUInt64LE(0);
      case "int64":
        return (await this.bytes(8)).readBigInt64LE(0);
      case "float64":
        return (await this.bytes(8)).readDoubleLE(0);
    }
  }
}
