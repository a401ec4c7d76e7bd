/**
 * Which price list opbench priced API calls with: the installed `@pydantic/genai-prices` and its
 * bundled data. opbench never calls the package's auto-update, so the bundled data is the whole
 * story and the package version pins it (the data carries no date of its own).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Identity of the price list, for the results' reproducibility record. */
export interface PricesDataVersion {
  package: "@pydantic/genai-prices";
  /** Installed package version, e.g. "0.1.8"; null if its package.json can't be read. */
  version: string | null;
  /** Always "bundled": the offline data shipped in the package, never fetched at run time. */
  data: "bundled";
  /** Where the data is maintained. */
  source: "https://github.com/pydantic/genai-prices";
}

let cached: PricesDataVersion | undefined;

function installedVersion(): string | null {
  try {
    // The package's `exports` hide package.json; resolve its entry point and walk up from dist/.
    const entry = createRequire(import.meta.url).resolve("@pydantic/genai-prices");
    const manifest = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as {
      name?: unknown;
      version?: unknown;
    };
    return manifest.name === "@pydantic/genai-prices" && typeof manifest.version === "string"
      ? manifest.version
      : null;
  } catch {
    return null;
  }
}

/** The version of the bundled price data (read once, then cached). */
export function pricesDataVersion(): PricesDataVersion {
  cached ??= {
    package: "@pydantic/genai-prices",
    version: installedVersion(),
    data: "bundled",
    source: "https://github.com/pydantic/genai-prices",
  };
  return cached;
}
