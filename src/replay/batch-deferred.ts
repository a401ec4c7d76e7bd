/**
 * Request lines of a batch log read before its results index is ready (another thread builds it
 * meanwhile): each line's sampling key, id and place in the file, in typed arrays (~50 bytes a
 * line), to be counted once the index comes, and read again only if it can enter the sample or
 * has no key. What the sampler makes of them does not depend on when they are counted.
 */
import type { SamplingKey } from "./sample.ts";

const KEYED = 1;
const TOOLS = 2;
const COMPLETE = 4;

export interface DeferredLine {
  key: SamplingKey | undefined;
  id: Uint8Array;
  idStart: number;
  idEnd: number;
  /** The line's bytes in the requests file. */
  offset: number;
  length: number;
  complete: boolean;
  order: number;
}

/** A DeferredRequests' arrays, to be moved to another thread (`transfer` lists their buffers). */
export interface DeferredState {
  size: number;
  priority: Float64Array<ArrayBuffer>;
  chars: Float64Array<ArrayBuffer>;
  order: Float64Array<ArrayBuffer>;
  offset: Float64Array<ArrayBuffer>;
  length: Uint32Array<ArrayBuffer>;
  model: Uint32Array<ArrayBuffer>;
  idStart: Uint32Array<ArrayBuffer>;
  idLength: Uint32Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  arena: Uint8Array<ArrayBuffer>;
  models: string[];
}

export class DeferredRequests {
  size = 0;
  private priority: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private chars: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private order: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private offset: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private length: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private model: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private idStart: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private idLength: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private flags: Uint8Array<ArrayBuffer> = new Uint8Array(1024);
  private arena: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private readonly models: string[] = [];
  private readonly modelIds = new Map<string, number>();

  /** Lines another thread kept (`state`). */
  static fromState(state: DeferredState): DeferredRequests {
    const deferred = new DeferredRequests();
    Object.assign(deferred, { ...state, models: [], arenaUsed: state.arena.length });
    for (const model of state.models) deferred.modelIds.set(model, deferred.models.push(model) - 1);
    return deferred;
  }

  state(): DeferredState {
    const { size, priority, chars, order, offset, length, model, idStart, idLength, flags, arena } = this;
    return {
      size,
      priority,
      chars,
      order,
      offset,
      length,
      model,
      idStart,
      idLength,
      flags,
      arena,
      models: this.models,
    };
  }

  /** The buffers of `state`, to be moved rather than copied. */
  static transfer(state: DeferredState): ArrayBuffer[] {
    const { priority, chars, order, offset, length, model, idStart, idLength, flags, arena } = state;
    return [priority, chars, order, offset, length, model, idStart, idLength, flags, arena].map(
      (a) => a.buffer,
    );
  }

  add(line: DeferredLine): void {
    const i = this.size++;
    if (i === this.flags.length) this.grow();
    const { key, id, idStart, idEnd } = line;
    let flags = line.complete ? COMPLETE : 0;
    if (key) {
      flags |= KEYED | (key.tools ? TOOLS : 0);
      this.priority[i] = key.priority;
      this.chars[i] = key.chars;
      let model = this.modelIds.get(key.model);
      if (model === undefined) {
        model = this.models.push(key.model) - 1;
        this.modelIds.set(key.model, model);
      }
      this.model[i] = model;
      const length = idEnd - idStart;
      if (this.arenaUsed + length > this.arena.length) {
        const arena = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
        arena.set(this.arena.subarray(0, this.arenaUsed));
        this.arena = arena;
      }
      for (let k = 0; k < length; k++) this.arena[this.arenaUsed + k] = id[idStart + k]!;
      this.idStart[i] = this.arenaUsed;
      this.idLength[i] = length;
      this.arenaUsed += length;
    }
    this.flags[i] = flags;
    this.offset[i] = line.offset;
    this.length[i] = line.length;
    this.order[i] = line.order;
  }

  /** The lines in the order they were added. */
  *lines(): Generator<DeferredLine> {
    for (let i = 0; i < this.size; i++) {
      const flags = this.flags[i]!;
      const key =
        flags & KEYED
          ? {
              model: this.models[this.model[i]!]!,
              tools: (flags & TOOLS) !== 0,
              chars: this.chars[i]!,
              priority: this.priority[i]!,
            }
          : undefined;
      yield {
        key,
        id: this.arena,
        idStart: this.idStart[i]!,
        idEnd: this.idStart[i]! + this.idLength[i]!,
        offset: this.offset[i]!,
        length: this.length[i]!,
        complete: (flags & COMPLETE) !== 0,
        order: this.order[i]!,
      };
    }
  }

  private grow(): void {
    const size = this.flags.length * 2;
    const f64 = (from: Float64Array) => {
      const to = new Float64Array(size);
      to.set(from);
      return to;
    };
    const u32 = (from: Uint32Array) => {
      const to = new Uint32Array(size);
      to.set(from);
      return to;
    };
    this.priority = f64(this.priority);
    this.chars = f64(this.chars);
    this.order = f64(this.order);
    this.offset = f64(this.offset);
    this.length = u32(this.length);
    this.model = u32(this.model);
    this.idStart = u32(this.idStart);
    this.idLength = u32(this.idLength);
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
  }
}
