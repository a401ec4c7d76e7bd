/**
 * CPU energy from Linux RAPL (Running Average Power Limit) through the powercap sysfs tree:
 * `/sys/class/powercap/intel-rapl:<pkg>[:<sub>]/{name, energy_uj, max_energy_range_uj}`
 * (AMD Zen CPUs use the same `intel-rapl` driver).
 *
 * Zones summed: every `package-N` (or `package-N-die-M`) zone (cores + uncore of that socket) plus every `dram` zone
 * (memory, reported outside the package). Not summed, to avoid double counting: `core`/`uncore`
 * sub-zones (inside their package), `psys` (the whole SoC, package included; used alone only
 * when no package zone exists) and the `intel-rapl-mmio:*` mirror of the package counter.
 *
 * `energy_uj` wraps to 0 after `max_energy_range_uj` (≈ 262 kJ on many CPUs: ~20 min at
 * 200 W); {@link UnwrappedCounter} unrolls each zone, provided the source is read at least once
 * per wrap period (the monitor polls). Since Linux 5.10 `energy_uj` is readable by root only
 * (CVE-2020-8694): the error says how to grant access.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UnwrappedCounter } from "./integrate.ts";
import { type EnergyReading, type EnergySource, EnergySourceError, nowMs } from "./types.ts";

/** Where the powercap tree lives on Linux. */
export const POWERCAP_ROOT = "/sys/class/powercap";

const ZONE_DIR = /^intel-rapl:\d+(:\d+)?$/;

/** One RAPL zone opbench reads. */
export interface RaplZone {
  /** Directory name, e.g. "intel-rapl:0" or "intel-rapl:0:2". */
  dir: string;
  /** The zone's `name`: "package-0", "dram", "psys" … */
  name: string;
  /** Counter range in µJ (`max_energy_range_uj`); null when unreadable (then a decrease is a reset). */
  maxUj: number | null;
}

export interface RaplOptions {
  /** Root of the powercap tree (default {@link POWERCAP_ROOT}; tests pass a fake tree). */
  root?: string;
  /** Reads a sysfs file as text (injectable for tests). */
  readText?: (path: string) => Promise<string>;
}

/** The command that lets a non-root user read the counters. */
export const RAPL_PERMISSION_HINT =
  "RAPL energy counters are readable by root only since Linux 5.10: run as root, or grant read access with " +
  "`sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj /sys/class/powercap/intel-rapl:*:*/energy_uj` " +
  "(until reboot)";

function defaultRead(path: string): Promise<string> {
  return readFile(path, "utf8");
}

function asError(error: unknown, path: string): EnergySourceError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") {
    return new EnergySourceError(`cannot read ${path} (permission denied)`, RAPL_PERMISSION_HINT);
  }
  if (code === "ENOENT") return new EnergySourceError(`no RAPL counter at ${path}`);
  return new EnergySourceError(`cannot read ${path}: ${(error as Error).message}`);
}

/** Chooses the zones to sum (see the module comment) from all zones found. */
export function selectRaplZones(zones: readonly RaplZone[]): RaplZone[] {
  const packages = zones.filter((z) => /^package-\d+(-die-\d+)?$/.test(z.name));
  const drams = zones.filter((z) => z.name === "dram");
  if (packages.length > 0) return [...packages, ...drams];
  const psys = zones.filter((z) => z.name === "psys");
  return psys.length > 0 ? psys : drams;
}

/**
 * Lists the RAPL zones under `root` and picks those to sum.
 * @throws EnergySourceError when there is no RAPL tree or no usable zone
 */
export async function discoverRaplZones(options: RaplOptions = {}): Promise<RaplZone[]> {
  const root = options.root ?? POWERCAP_ROOT;
  const read = options.readText ?? defaultRead;
  let entries: string[];
  try {
    entries = (await readdir(root)).filter((entry) => ZONE_DIR.test(entry)).sort();
  } catch (error) {
    throw new EnergySourceError(
      `no RAPL powercap tree at ${root}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      "RAPL needs Linux on an Intel or AMD (Zen) CPU with the intel_rapl_common module loaded; VMs rarely expose it",
    );
  }
  const zones: RaplZone[] = [];
  for (const dir of entries) {
    let name: string;
    try {
      name = (await read(join(root, dir, "name"))).trim();
    } catch {
      continue;
    }
    let maxUj: number | null = null;
    try {
      const value = Number((await read(join(root, dir, "max_energy_range_uj"))).trim());
      maxUj = Number.isFinite(value) && value > 0 ? value : null;
    } catch {
      maxUj = null;
    }
    zones.push({ dir, name, maxUj });
  }
  const selected = selectRaplZones(zones);
  if (selected.length === 0) throw new EnergySourceError(`no package, dram or psys RAPL zone under ${root}`);
  return selected;
}

/** CPU package (+ DRAM) energy from RAPL counters; an {@link EnergySource}. */
export class RaplSource implements EnergySource {
  readonly method = "rapl" as const;
  private readonly root: string;
  private readonly read_: (path: string) => Promise<string>;
  private zones: RaplZone[] = [];
  private counters: UnwrappedCounter[] = [];

  constructor(options: RaplOptions = {}) {
    this.root = options.root ?? POWERCAP_ROOT;
    this.read_ = options.readText ?? defaultRead;
  }

  get description(): string {
    const names = this.zones.map((z) => z.name).join(" + ") || "(not started)";
    return `RAPL ${names} (${this.root})`;
  }

  /** Zones read, after {@link start}. */
  get selectedZones(): readonly RaplZone[] {
    return this.zones;
  }

  /** Total wrap-arounds unrolled so far, over all zones. */
  get wraps(): number {
    return this.counters.reduce((sum, c) => sum + c.wraps, 0);
  }

  /** @throws EnergySourceError (with the permission hint on EACCES) */
  async start(): Promise<void> {
    this.zones = await discoverRaplZones({ root: this.root, readText: this.read_ });
    this.counters = this.zones.map((z) => new UnwrappedCounter(z.maxUj));
    await this.read();
  }

  async read(): Promise<EnergyReading> {
    if (this.counters.length === 0) throw new EnergySourceError("RaplSource.read() before start()");
    const before = nowMs();
    let microjoules = 0;
    for (const [i, zone] of this.zones.entries()) {
      const path = join(this.root, zone.dir, "energy_uj");
      let text: string;
      try {
        text = await this.read_(path);
      } catch (error) {
        throw asError(error, path);
      }
      const raw = Number(text.trim());
      if (!Number.isFinite(raw))
        throw new EnergySourceError(`unreadable counter in ${path}: ${JSON.stringify(text)}`);
      microjoules += this.counters[i]!.update(raw);
    }
    return { joules: microjoules / 1e6, t: (before + nowMs()) / 2 };
  }

  async stop(): Promise<void> {}
}
