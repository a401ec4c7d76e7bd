/**
 * Strings packed as UTF-8 in one growing buffer outside the JavaScript heap, with 32-bit end
 * offsets: a string costs its bytes plus 4, and the garbage collector never traces it. For lists
 * that grow with a run (an energy window's call keys). Append-only.
 */

/** Offsets are 32-bit: at most 4 GiB of text. */
const MAX_BYTES = 2 ** 32 - 1;

export class PackedStrings {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** End offset (in `bytes`) of each string; a string starts where the previous one ended. */
  private ends = new Uint32Array(1024);
  length = 0;
  /** The error message past 4 GiB, saying what to do about it where the list is used. */
  private readonly tooLarge: string;

  constructor(tooLarge = "more than 4 GiB of text") {
    this.tooLarge = tooLarge;
  }

  push(value: string): void {
    if (this.length === this.ends.length) {
      const ends = new Uint32Array(this.ends.length * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    if (value) {
      const most = value.length * 3;
      if (most > this.bytes.length - this.used) this.grow(most);
      this.used += this.bytes.write(value, this.used, "utf8");
    }
    this.ends[this.length++] = this.used;
  }

  at(index: number): string {
    return this.bytes.toString("utf8", this.startOf(index), this.ends[index]!);
  }

  /** Bytes held by strings `from` … `to - 1`. */
  byteLength(from: number, to: number): number {
    return to <= from ? 0 : this.ends[to - 1]! - this.startOf(from);
  }

  private startOf(index: number): number {
    return index === 0 ? 0 : this.ends[index - 1]!;
  }

  private grow(atLeast: number): void {
    if (this.used + atLeast > MAX_BYTES) throw new Error(this.tooLarge);
    const size = Math.min(MAX_BYTES, Math.max(Math.ceil(this.bytes.length * 1.5), this.used + atLeast));
    const bytes = Buffer.allocUnsafe(size);
    this.bytes.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }
}
