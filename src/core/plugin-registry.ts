/**
 * The mechanics every plug-in registry shares (runners, scorers): built-ins named up front and
 * imported when first needed, names added and removed at run time, and a map that is replaced —
 * never changed in place — on every change, so its identity is the registry's state (the suite
 * schema is memoised by it).
 *
 * A built-in is a loader (`() => import(...)`): a suite's run imports only the plug-ins it names
 * (`load`), so a llama.cpp suite never compiles the hosted APIs' runners or the SQL scorer, nor
 * builds their config schemas. Everything else reads the loaded map synchronously.
 */

/** A plug-in's config schema: a zod object whose discriminant (`runner`, `type`) names it. */
interface DiscriminatedSchema {
  schema: unknown;
}

/** Imports a built-in plug-in's definition. */
export type PluginLoader<D> = () => Promise<D>;

export class PluginRegistry<D extends DiscriminatedSchema> {
  private map: ReadonlyMap<string, D> = new Map();
  private readonly loaders: ReadonlyMap<string, PluginLoader<D>>;
  /** Every name, built-ins first (in their order), then in registration order. */
  private order: readonly string[];
  private readonly what: string;
  private readonly discriminant: string;
  private readonly expected: (name: string) => string;

  /**
   * @param what what a plug-in is called in messages ("runner", "scorer")
   * @param discriminant the config key whose literal must be the plug-in's name
   * @param expected how the schema should read, for the message when it does not
   * @param builtins the built-in plug-ins' loaders by name (a bad plug-in throws when loaded)
   */
  constructor(
    what: string,
    discriminant: string,
    expected: (name: string) => string,
    builtins: Record<string, PluginLoader<D>>,
  ) {
    this.what = what;
    this.discriminant = discriminant;
    this.expected = expected;
    this.loaders = new Map(Object.entries(builtins));
    this.order = Object.keys(builtins);
  }

  /** Every name a plug-in is registered under (loaded or not), built-ins first. */
  names(): readonly string[] {
    return this.order;
  }

  has(name: string): boolean {
    return this.loaders.has(name) || this.map.has(name);
  }

  /**
   * The loaded plug-ins by name, in registry order. Read-only; replaced on every change.
   * After {@link loadAll} that is every plug-in.
   */
  all(): ReadonlyMap<string, D> {
    return this.map;
  }

  /**
   * A plug-in's definition; undefined for a name nothing is registered under.
   * @throws Error for a built-in not loaded yet (a caller that skipped `load`: a bug, not bad input)
   */
  get(name: string): D | undefined {
    const definition = this.map.get(name);
    if (definition === undefined && this.loaders.has(name)) {
      throw new Error(`${this.what} "${name}" was asked for before it was loaded`);
    }
    return definition;
  }

  /** Imports the built-ins among `names` not loaded yet; other names are left alone. */
  async load(names: Iterable<string>): Promise<void> {
    const missing = [...new Set(names)].filter((name) => this.loaders.has(name) && !this.map.has(name));
    if (missing.length === 0) return;
    const loaded = await Promise.all(missing.map((name) => this.loaders.get(name)!()));
    for (const [index, name] of missing.entries()) this.check(name, loaded[index]!);
    const next = new Map(this.map);
    for (const [index, name] of missing.entries()) next.set(name, loaded[index]!);
    this.map = new Map(this.order.filter((name) => next.has(name)).map((name) => [name, next.get(name)!]));
  }

  /** Imports every built-in: for what lists all plug-ins (the JSON Schema, `--model` values). */
  loadAll(): Promise<void> {
    return this.load(this.loaders.keys());
  }

  /** @throws Error when the name is taken or the schema's discriminant is not `name` */
  register(name: string, definition: D): void {
    if (this.has(name)) throw new Error(`${this.what} "${name}" is already registered`);
    this.check(name, definition);
    this.map = new Map([...this.map, [name, definition]]);
    this.order = [...this.order, name];
  }

  /** @throws Error for a built-in */
  unregister(name: string): void {
    if (this.loaders.has(name)) throw new Error(`${this.what} "${name}" is built in`);
    const next = new Map(this.map);
    if (!next.delete(name)) return;
    this.map = next;
    this.order = this.order.filter((n) => n !== name);
  }

  private check(name: string, definition: D): void {
    const shape = (definition.schema as { shape?: Record<string, unknown> }).shape;
    const literal = shape?.[this.discriminant] as { values?: ReadonlySet<unknown> } | undefined;
    if (literal?.values?.size !== 1 || !literal.values.has(name)) {
      throw new Error(`${this.what} "${name}": its schema must be ${this.expected(name)}`);
    }
  }
}
