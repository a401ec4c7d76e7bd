/**
 * Seeded pseudo-random numbers (the demo weights, load mode's arrivals). Integer arithmetic only (no Math.random,
 * no transcendental functions), so the same seed gives the same bits on every platform.
 */

/** mulberry32: a tiny 32-bit PRNG. Returns a function yielding uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a hash of `seed` and a UTF-16 string: derives one stream per tensor from one seed. */
export function hashSeed(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
