/**
 * A hash table of `custom_id`s by their bytes, for joining a batch's requests to its results
 * without a string per id: ids are kept in one growing byte arena, slots in typed arrays (~30
 * bytes per id besides its own bytes, against ~80 for a Map of strings), and a request's id is
 * looked up from its line's raw bytes. An id's bytes are its ASCII text, or for any other text a
 * 0xFF byte and its UTF-16 code units (so that ids differing only in lone surrogates stay apart).
 */

const EMPTY = 0;

/** The bytes an id is kept and looked up by. */
export function idBytes(id: string): Buffer {
  if (/^[\x00-\x7f]*$/.test(id)) return Buffer.from(id, "latin1");
  const bytes = Buffer.alloc(1 + 2 * id.length);
  bytes[0] = 0xff;
  bytes.write(id, 1, "utf16le");
  return bytes;
}

/** An IdTable's arrays, to be sent to another thread (transferred or copied). */
export interface IdTableState {
  arena: Uint8Array<ArrayBuffer>;
  arenaUsed: number;
  starts: Uint32Array<ArrayBuffer>;
  lengths: Uint32Array<ArrayBuffer>;
  hashes: Int32Array<ArrayBuffer>;
  slots: Int32Array<ArrayBuffer>;
  size: number;
}

export class IdTable {
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private starts = new Uint32Array(1024);
  private lengths = new Uint32Array(1024);
  private hashes = new Int32Array(1024);
  /** Slot → entry + 1 (0: empty); a power of two, at most half full. */
  private slots = new Int32Array(2048);
  size = 0;

  state(): IdTableState {
    const { arena, arenaUsed, starts, lengths, hashes, slots, size } = this;
    return { arena, arenaUsed, starts, lengths, hashes, slots, size };
  }

  static fromState(state: IdTableState): IdTable {
    return Object.assign(new IdTable(), state);
  }

  /** The entry of the id `bytes[start, end)`, or -1. */
  find(bytes: Uint8Array, start: number, end: number): number {
    const hash = hashOf(bytes, start, end);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot]!;
      if (held === EMPTY) return -1;
      if (this.hashes[held - 1] === hash && this.equals(held - 1, bytes, start, end)) return held - 1;
    }
  }

  /** The entry of the id `bytes[start, end)`, added if new (entries are numbered 0, 1, … in order). */
  insert(bytes: Uint8Array, start: number, end: number): number {
    const hash = hashOf(bytes, start, end);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot]!;
      if (held === EMPTY) break;
      if (this.hashes[held - 1] === hash && this.equals(held - 1, bytes, start, end)) return held - 1;
    }
    const entry = this.size++;
    if (entry === this.starts.length) this.growEntries();
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
    }
    const arena = this.arena;
    const at = this.arenaUsed;
    for (let i = 0; i < length; i++) arena[at + i] = bytes[start + i]!;
    this.starts[entry] = at;
    this.lengths[entry] = length;
    this.hashes[entry] = hash;
    this.arenaUsed += length;
    this.slots[slot] = entry + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return entry;
  }

  private equals(entry: number, bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (this.lengths[entry] !== length) return false;
    const arena = this.arena;
    const at = this.starts[entry]!;
    for (let i = 0; i < length; i++) if (arena[at + i] !== bytes[start + i]) return false;
    return true;
  }

  /** Room for `entries` ids of about the length of those held so far (a log's size tells how many). */
  reserve(entries: number): void {
    if (entries > this.starts.length) this.growEntries(entries);
    const bytes = Math.ceil(entries * (this.size > 0 ? this.arenaUsed / this.size : 16) * 1.1);
    if (bytes > this.arena.length) {
      const arena = new Uint8Array(bytes);
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
    }
    let slots = this.slots.length;
    while (slots < 2 * entries) slots *= 2;
    if (slots > this.slots.length) this.rehash(slots);
  }

  private growEntries(size = this.starts.length * 2): void {
    const grow = <T extends Uint32Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.starts = grow(this.starts, new Uint32Array(size));
    this.lengths = grow(this.lengths, new Uint32Array(size));
    this.hashes = grow(this.hashes, new Int32Array(size));
  }

  private rehash(size = this.slots.length * 2): void {
    const slots = new Int32Array(size);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the bytes, then mixed (ids often differ only in their last digits). */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
