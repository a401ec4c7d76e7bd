/**
 * A task's rendered cases, packed: every field's UTF-8 bytes in one growing buffer outside the
 * JavaScript heap, with typed-array offsets. A case costs its own bytes plus 21 bytes, and the
 * garbage collector never traces it — so a 100,000-case suite holds ~13 MB instead of ~80 MB of
 * heap objects that V8 would let grow to several times that between collections. `at(i)` decodes
 * one case when the engine dispatches it.
 */
import { PackedStrings } from "../core/packed-strings.ts";
import type { Case } from "./resolved.ts";

/** What the engine needs of a task's cases. A plain `Case[]` is one too. */
export interface CaseList {
  readonly length: number;
  at(index: number): Case | undefined;
  slice(start?: number, end?: number): CaseList;
  [Symbol.iterator](): Iterator<Case>;
}

/** Fields per case, in storage order: id, prompt, system, expected, cluster. */
const FIELD_COUNT = 5;
/** Presence bits of the optional fields (id and prompt are always present). */
const HAS_SYSTEM = 1;
const HAS_EXPECTED = 2;
const HAS_CLUSTER = 4;

/** Shared storage of a table and its slices; appended to only while it is built. */
class Storage {
  /** Every case's five fields in order (an absent field is ""; `flags` tells it from an empty one). */
  readonly fields = new PackedStrings(
    "the task's rendered cases pass 4 GiB of text: split the dataset across tasks or use `limit`",
  );
  flags = new Uint8Array(1024);
  count = 0;

  append(c: Case): void {
    if (this.count === this.flags.length) {
      const flags = new Uint8Array(this.flags.length * 2);
      flags.set(this.flags);
      this.flags = flags;
    }
    for (const value of [c.id, c.prompt, c.system, c.expected, c.cluster]) this.fields.push(value ?? "");
    this.flags[this.count] =
      (c.system !== undefined ? HAS_SYSTEM : 0) |
      (c.expected !== undefined ? HAS_EXPECTED : 0) |
      (c.cluster !== undefined ? HAS_CLUSTER : 0);
    this.count++;
  }

  field(index: number, field: number): string {
    return this.fields.at(index * FIELD_COUNT + field);
  }

  decode(index: number): Case {
    const c: Case = { id: this.field(index, 0), prompt: this.field(index, 1) };
    const flags = this.flags[index]!;
    if (flags & HAS_SYSTEM) c.system = this.field(index, 2);
    if (flags & HAS_EXPECTED) c.expected = this.field(index, 3);
    if (flags & HAS_CLUSTER) c.cluster = this.field(index, 4);
    return c;
  }
}

/** Cases `start` … `start + length - 1` of a storage. */
export class CaseTable implements CaseList {
  private readonly storage: Storage;
  private readonly start: number;
  readonly length: number;

  private constructor(storage: Storage, start: number, length: number) {
    this.storage = storage;
    this.start = start;
    this.length = length;
  }

  /** Packs `cases` (consumed one at a time: nothing else holds them). */
  static from(cases: Iterable<Case>): CaseTable {
    const storage = new Storage();
    for (const c of cases) storage.append(c);
    return new CaseTable(storage, 0, storage.count);
  }

  at(index: number): Case | undefined {
    const i = Math.trunc(index) < 0 ? this.length + Math.trunc(index) : Math.trunc(index);
    if (!(i >= 0 && i < this.length)) return undefined;
    return this.storage.decode(this.start + i);
  }

  /** Whether any case has a gold answer, without decoding the cases. */
  someExpected(): boolean {
    for (let i = 0; i < this.length; i++) if (this.storage.flags[this.start + i]! & HAS_EXPECTED) return true;
    return false;
  }

  /** A view of some of the cases, as `Array.prototype.slice` picks them; shares the storage. */
  slice(start = 0, end = this.length): CaseTable {
    const clamp = (n: number) => {
      const i = Math.trunc(n) < 0 ? this.length + Math.trunc(n) : Math.trunc(n);
      return Math.min(this.length, Math.max(0, i));
    };
    const from = clamp(start);
    return new CaseTable(this.storage, this.start + from, Math.max(0, clamp(end) - from));
  }

  *[Symbol.iterator](): Iterator<Case> {
    for (let i = 0; i < this.length; i++) yield this.storage.decode(this.start + i);
  }

  /** Bytes held by the cases' text (for the benchmarks' accounting). */
  get textBytes(): number {
    const from = this.start * FIELD_COUNT;
    return this.storage.fields.byteLength(from, from + this.length * FIELD_COUNT);
  }
}

/** Whether any case of `cases` has a gold answer. */
export function someExpected(cases: CaseList): boolean {
  if (cases instanceof CaseTable) return cases.someExpected();
  for (const c of cases) if (c.expected !== undefined) return true;
  return false;
}
