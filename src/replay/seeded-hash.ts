/**
 * The seeded hash behind a logged request's sampling priority, fed string by string. A string can
 * also be fed as the bytes of its ASCII text in a buffer (`updateAscii`), with the same result:
 * the raw-line scanner (chat-line-key.ts) hashes a line's strings without decoding them.
 */

/** A seeded 53-bit hash (two 32-bit multiplicative hashes), no concatenation. */
export class Hash53 {
  private a: number;
  private b: number;

  constructor(seed: number) {
    this.a = 0x811c9dc5 ^ seed;
    this.b = 0x9747b28c ^ Math.imul(seed, 0x85ebca6b);
  }

  /** Adds a string, then its length (so "ab"+"c" and "a"+"bc" differ). */
  update(text: string): this {
    let a = this.a;
    let b = this.b;
    const length = text.length;
    let i = 0;
    // Two UTF-16 units a step: it runs over every message of every logged line.
    for (; i + 1 < length; i += 2) {
      const units = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
      a = Math.imul(a ^ units, 0x01000193);
      b = Math.imul(b ^ units, 0x5bd1e995);
      b ^= b >>> 13;
    }
    if (i < length) {
      const unit = text.charCodeAt(i);
      a = Math.imul(a ^ unit, 0x01000193);
      b = Math.imul(b ^ unit, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.a = Math.imul(a ^ length, 0x01000193);
    this.b = b ^ length;
    return this;
  }

  /** `update` of the string whose ASCII bytes are `bytes[start, end)` (no byte ≥ 0x80). */
  updateAscii(bytes: Uint8Array, start: number, end: number): this {
    let a = this.a;
    let b = this.b;
    const length = end - start;
    let i = start;
    for (; i + 1 < end; i += 2) {
      const units = bytes[i]! | (bytes[i + 1]! << 16);
      a = Math.imul(a ^ units, 0x01000193);
      b = Math.imul(b ^ units, 0x5bd1e995);
      b ^= b >>> 13;
    }
    if (i < end) {
      const unit = bytes[i]!;
      a = Math.imul(a ^ unit, 0x01000193);
      b = Math.imul(b ^ unit, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.a = Math.imul(a ^ length, 0x01000193);
    this.b = b ^ length;
    return this;
  }

  digest(): number {
    let a = this.a;
    a ^= a >>> 15;
    a = Math.imul(a, 0x2c1b3c6d);
    a ^= a >>> 12;
    return (a >>> 0) + (this.b & 0x1fffff) * 2 ** 32;
  }
}
