/** Tensors of deterministic pseudo-random values, generated in chunks as the writer streams them. */
import type { WritableTensorType } from "../gguf/gguf-format.ts";
import type { GgufTensorSource } from "../gguf/gguf-writer.ts";
import { hashSeed, mulberry32 } from "../stats/prng.ts";

const CHUNK_VALUES = 1 << 16;

/**
 * A tensor of values uniform in [-halfWidth, halfWidth), drawn from a PRNG stream of its own
 * (seeded by `seed` and `name`, so adding a tensor never changes another's values).
 */
export function uniformTensor(
  seed: number,
  name: string,
  dims: number[],
  halfWidth: number,
  type: WritableTensorType,
): GgufTensorSource {
  const count = dims.reduce((a, b) => a * b, 1);
  return {
    name,
    dims,
    type,
    values: function* () {
      const next = mulberry32(hashSeed(seed, name));
      for (let done = 0; done < count; ) {
        const chunk = new Float32Array(Math.min(CHUNK_VALUES, count - done));
        for (let i = 0; i < chunk.length; i++) chunk[i] = (next() * 2 - 1) * halfWidth;
        done += chunk.length;
        yield chunk;
      }
    },
  };
}
