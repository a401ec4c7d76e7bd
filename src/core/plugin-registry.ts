/**
 * The mechanics every plug-in registry shares (runners, scorers): built-ins checked once, names
 * added and removed at run time, and a map that is replaced — never changed in place — on every
 * change, so its identity is the registry's state (the suite schema is memoised by it).
 */

/** A plug-in's config schema: a zod object whose discriminant (`runner`, `type`) names it. */
interface DiscriminatedSchema {
  schema: unknown;
}

export class PluginRegistry<D extends DiscriminatedSchema> {
  private map: ReadonlyMap<string, D>;
  private readonly builtins: ReadonlySet<string>;
  private readonly what: string;
  private readonly discriminant: string;
  private readonly expected: (name: string) => string;

  /**
   * @param what what a plug-in is called in messages ("runner", "scorer")
   * @param discriminant the config key whose literal must be the plug-in's name
   * @param expected how the schema should read, for the message when it does not
   * @param builtins the built-in plug-ins by name, checked here (a bad one throws at load)
   */
  constructor(
    what: string,
    discriminant: string,
    expected: (name: string) => string,
    builtins: Record<string, D>,
  ) {
    this.what = what;
    this.discriminant = discriminant;
    this.expected = expected;
    for (const [name, definition] of Object.entries(builtins)) this.check(name, definition);
    this.map = new Map(Object.entries(builtins));
    this.builtins = new Set(Object.keys(builtins));
  }

  /** Every registered plug-in by name, built-ins first, then in registration order. Read-only. */
  all(): ReadonlyMap<string, D> {
    return this.map;
  }

  get(name: string): D | undefined {
    return this.map.get(name);
  }

  /** @throws Error when the name is taken or the schema's discriminant is not `name` */
  register(name: string, definition: D): void {
    if (this.map.has(name)) throw new Error(`${this.what} "${name}" is already registered`);
    this.check(name, definition);
    this.map = new Map([...this.map, [name, definition]]);
  }

  /** @throws Error for a built-in */
  unregister(name: string): void {
    if (this.builtins.has(name)) throw new Error(`${this.what} "${name}" is built in`);
    const next = new Map(this.map);
    if (next.delete(name)) this.map = next;
  }

  private check(name: string, definition: D): void {
    const shape = (definition.schema as { shape?: Record<string, unknown> }).shape;
    const literal = shape?.[this.discriminant] as { values?: ReadonlySet<unknown> } | undefined;
    if (literal?.values?.size !== 1 || !literal.values.has(name)) {
      throw new Error(`${this.what} "${name}": its schema must be ${this.expected(name)}`);
    }
  }
}
