import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GgufMetadataValue, gguf } from "../../src/gguf/gguf-format.ts";
import { readGgufInfo } from "../../src/gguf/gguf-info.ts";
import { float16BitsToNumber, readGgufHeader, readGgufTensorValues } from "../../src/gguf/gguf-reader.ts";
import { float32ToFloat16Bits, writeGguf } from "../../src/gguf/gguf-writer.ts";

import { TINY_MODEL } from "../helpers/shared-models.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "opbench-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const metadata: [string, GgufMetadataValue][] = [
  ["general.architecture", gguf.string("llama")],
  ["test.u8", gguf.uint8(255)],
  ["test.i8", gguf.int8(-128)],
  ["test.u16", gguf.uint16(65535)],
  ["test.i16", gguf.int16(-32768)],
  ["test.u32", gguf.uint32(4294967295)],
  ["test.i32", gguf.int32(-2147483648)],
  ["test.f32", gguf.float32(0.5)],
  ["test.bool.true", gguf.bool(true)],
  ["test.bool.false", gguf.bool(false)],
  ["test.string.unicode", gguf.string("▁héllo 世界 🙂")],
  ["test.string.empty", gguf.string("")],
  ["test.u64", gguf.uint64(18446744073709551615n)],
  ["test.i64", gguf.int64(-9223372036854775808n)],
  ["test.f64", gguf.float64(Math.PI)],
  ["test.arr.strings", gguf.array("string", ["<unk>", "▁the", "", "a\nb"])],
  ["test.arr.i32", gguf.array("int32", [1, -2, 3])],
  ["test.arr.f32", gguf.array("float32", [-1.5, 0, 2.25])],
  ["test.arr.u8", gguf.array("uint8", [0, 7, 255])],
  ["test.arr.bool", gguf.array("bool", [true, false])],
  ["test.arr.u64", gguf.array("uint64", [0n, 1n << 40n])],
  ["test.arr.empty", gguf.array("float64", [])],
];

describe("GGUF writer and reader", () => {
  it("round-trips every metadata type, tensor infos and tensor data", async () => {
    const path = join(dir, "roundtrip.gguf");
    const f32 = [0.1, -2, 3.5, 1e-8, 65504, -0.25];
    const f16Exact = [0.5, -1, 2048, 0.000061035156 /* 2^-14 */, 0, 1.5];
    const { bytes } = await writeGguf(path, {
      metadata,
      tensors: [
        // Chunks of uneven sizes, as a generator may yield them.
        { name: "a.f32", dims: [3, 2], type: "F32", values: () => [f32.slice(0, 4), f32.slice(4)] },
        { name: "b.f16", dims: [6], type: "F16", values: () => [new Float32Array(f16Exact)] },
        {
          name: "c.big",
          dims: [5, 7, 3],
          type: "F16",
          values: () => [Array.from({ length: 105 }, (_, i) => i)],
        },
      ],
    });
    expect((await stat(path)).size).toBe(bytes);

    const header = await readGgufHeader(path);
    expect(header.version).toBe(3);
    expect(header.alignment).toBe(32);
    // (The float32 values are exact in single precision, so everything comes back equal.)
    expect([...header.metadata.entries()]).toEqual(metadata);
    expect(header.tensors.map((t) => [t.name, t.dims, t.typeName, t.offset, t.byteSize])).toEqual([
      ["a.f32", [3, 2], "F32", 0, 24],
      ["b.f16", [6], "F16", 32, 12],
      ["c.big", [5, 7, 3], "F16", 64, 210],
    ]);
    expect(header.dataOffset % 32).toBe(0);
    // Data section: every tensor padded to the alignment, the last one included.
    expect(bytes).toBe(header.dataOffset + 64 + 224);

    expect([...(await readGgufTensorValues(path, header, "a.f32"))]).toEqual(f32.map(Math.fround));
    expect([...(await readGgufTensorValues(path, header, "b.f16"))]).toEqual(f16Exact.map(Math.fround));
    expect([...(await readGgufTensorValues(path, header, "c.big"))]).toEqual(
      Array.from({ length: 105 }, (_, i) => i),
    );
  });

  it("honours general.alignment and writes the exact bytes of the format", async () => {
    const path = join(dir, "aligned.gguf");
    await writeGguf(path, {
      metadata: [["general.alignment", gguf.uint32(64)]],
      tensors: [{ name: "t", dims: [1], type: "F32", values: () => [[1]] }],
    });
    const buf = await readFile(path);
    expect(buf.subarray(0, 4).toString("latin1")).toBe("GGUF");
    expect(buf.readUInt32LE(4)).toBe(3); // version
    expect(buf.readBigUInt64LE(8)).toBe(1n); // tensors
    expect(buf.readBigUInt64LE(16)).toBe(1n); // kv pairs
    expect(buf.readBigUInt64LE(24)).toBe(17n); // key length
    expect(buf.subarray(32, 49).toString()).toBe("general.alignment");
    expect(buf.readInt32LE(49)).toBe(4); // GGUF_TYPE_UINT32
    expect(buf.readUInt32LE(53)).toBe(64);
    const header = await readGgufHeader(path);
    expect(header.alignment).toBe(64);
    expect(header.dataOffset).toBe(128);
    expect(buf.length).toBe(128 + 64);
    expect(buf.readFloatLE(128)).toBe(1);
  });

  it("rejects a value count that does not match the shape, and bad metadata", async () => {
    const path = join(dir, "bad.gguf");
    await expect(
      writeGguf(path, {
        metadata: [],
        tensors: [{ name: "t", dims: [4], type: "F32", values: () => [[1, 2, 3]] }],
      }),
    ).rejects.toThrow(/wrote 12 bytes, its shape needs 16/);
    await expect(writeGguf(path, { metadata: [["x", gguf.uint8(256)]], tensors: [] })).rejects.toThrow(
      /uint8/,
    );
    await expect(writeGguf(path, { metadata: [["x", gguf.int32(1.5)]], tensors: [] })).rejects.toThrow(
      /int32/,
    );
    await expect(
      writeGguf(path, { metadata: [["general.alignment", gguf.uint32(24)]], tensors: [] }),
    ).rejects.toThrow(/power of 2/);
    await expect(
      writeGguf(path, {
        metadata: [
          ["x", gguf.bool(true)],
          ["x", gguf.bool(false)],
        ],
        tensors: [],
      }),
    ).rejects.toThrow(/duplicate/);
  });

  it("refuses a file that is not GGUF, or is truncated", async () => {
    const notGguf = join(dir, "not.gguf");
    await writeGguf(notGguf, { metadata: metadata.slice(0, 5), tensors: [] });
    const buf = await readFile(notGguf);
    await writeFile(notGguf, Buffer.concat([Buffer.from("GGML"), buf.subarray(4)]));
    await expect(readGgufHeader(notGguf)).rejects.toThrow(/not a GGUF file/);
    await writeFile(notGguf, buf.subarray(0, buf.length - 3));
    await expect(readGgufHeader(notGguf)).rejects.toThrow(/truncated/);
  });
});

const F16 = (globalThis as { Float16Array?: new (n: number) => { [i: number]: number; buffer: ArrayBuffer } })
  .Float16Array;

describe("float32ToFloat16Bits", () => {
  it("matches hand-computed binary16 patterns, rounding to nearest even", () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff); // largest finite
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds up to +inf
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // halfway to 0: ties to even
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // halfway 1↔2: ties to even
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway, even stays
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, odd rounds up
    expect(float32ToFloat16Bits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Number.NaN) & 0x7e00).toBe(0x7e00);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
  });

  it.skipIf(!F16)("agrees with Float16Array (Node 24+)", () => {
    if (!F16) throw new Error("unreachable");
    const arr = new F16(1);
    const bits = new Uint16Array(arr.buffer);
    let x = 0x12345678;
    for (let i = 0; i < 20000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const v = Math.fround(((x / 2 ** 32) * 2 - 1) * 2 ** ((i % 40) - 26));
      arr[0] = v;
      expect(float32ToFloat16Bits(v)).toBe(bits[0]);
      expect(float16BitsToNumber(bits[0] ?? 0)).toBe(arr[0]);
    }
  });
});

describe("readGgufInfo on the shared tiny test model", () => {
  it("reports the facts of its README", async () => {
    const info = await readGgufInfo(TINY_MODEL);
    expect(info).toMatchObject({
      architecture: "llama",
      name: "LLaMA v2",
      file_type: 1,
      quantization: "F16",
      context_length: 4096,
      vocab_size: 32000,
      n_tensors: 12,
      gguf_version: 3,
      file_bytes: 1_750_560,
    });
    expect(info.kv["llama.block_count"]).toBe(1);
    expect(info.kv["llama.embedding_length"]).toBe(8);
    expect(info.kv["llama.attention.head_count"]).toBe(2);
    // 2 x 8x32000 (embeddings, output) + 4 x 8x8 (attention) + 3 x 8x32 (ffn) + 3 x 8 (norms).
    expect(info.parameter_count).toBe(2 * 8 * 32000 + 4 * 64 + 3 * 256 + 3 * 8);
  });

  it("places tensor data where gguf-py places it", async () => {
    const header = await readGgufHeader(TINY_MODEL);
    const embd = header.tensors.find((t) => t.name === "token_embd.weight");
    const output = header.tensors.find((t) => t.name === "output.weight");
    expect(embd?.dims).toEqual([8, 32000]);
    // Absolute offsets as gguf-py's GGUFReader reports them for this file.
    expect(header.dataOffset + (embd?.offset ?? 0)).toBe(724_416);
    expect(header.dataOffset + (output?.offset ?? 0)).toBe(1_238_560);
    expect(header.dataOffset + (output?.offset ?? 0) + (output?.byteSize ?? 0)).toBe(header.fileBytes);
  });
});
