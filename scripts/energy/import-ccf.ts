/**
 * Regenerates data/energy/ccf-cpu-coefficients.json from a Cloud Carbon Footprint checkout
 * (Apache-2.0): the per-vCPU min/max watts by microarchitecture (Azure/GCP constants, which list
 * AMD EPYC 3rd Gen; AWS's for Graviton2), the memory coefficient, and the on-premise
 * CPU-model → microarchitecture mapping.
 *
 *   node scripts/energy/import-ccf.ts <ccf git dir> [commit] && npx biome format --write data/energy
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const [gitDir, commit = "HEAD"] = process.argv.slice(2);
if (!gitDir) {
  console.error("usage: node scripts/energy/import-ccf.ts <cloud-carbon-footprint git dir> [commit]");
  process.exit(2);
}
const show = (path: string) =>
  execFileSync("git", ["--git-dir", gitDir, "show", `${commit}:${path}`], { encoding: "utf8" });
const sha = execFileSync("git", ["--git-dir", gitDir, "rev-parse", commit], { encoding: "utf8" }).trim();

const names = Object.fromEntries(
  [...show("packages/core/src/compute/ComputeProcessorTypes.ts").matchAll(/(\w+) = '([^']+)'/g)].map((m) => [
    m[1]!,
    m[2]!,
  ]),
);

/** `{ [COMPUTE_PROCESSOR_TYPES.X]: n, ... }` after `key` in a constants file. */
function table(text: string, key: string): Record<string, number> {
  const start = text.indexOf(`${key}: {`);
  if (start < 0) throw new Error(`${key} not found`);
  const body = text.slice(start, text.indexOf("}", start));
  return Object.fromEntries(
    [...body.matchAll(/COMPUTE_PROCESSOR_TYPES\.(\w+)\]: ([\d.]+)/g)].map((m) => [
      names[m[1]!]!,
      Number(m[2]),
    ]),
  );
}
const scalar = (text: string, key: string) => Number(new RegExp(`${key}: ([\\d.]+)`).exec(text)![1]);

const azurePath = "packages/azure/src/domain/AzureFootprintEstimationConstants.ts";
const awsPath = "packages/aws/src/domain/AwsFootprintEstimationConstants.ts";
const azure = show(azurePath);
const aws = show(awsPath);
const min = {
  ...table(aws, "MIN_WATTS_BY_COMPUTE_PROCESSOR"),
  ...table(azure, "MIN_WATTS_BY_COMPUTE_PROCESSOR"),
};
const max = {
  ...table(aws, "MAX_WATTS_BY_COMPUTE_PROCESSOR"),
  ...table(azure, "MAX_WATTS_BY_COMPUTE_PROCESSOR"),
};
const gpu = /^(Nvidia|AMD Radeon|Xilinx)/;
const perVcpu = Object.fromEntries(
  Object.keys(min)
    .filter((k) => !gpu.test(k) && max[k] !== undefined)
    .sort()
    .map((k) => [k, { min_w: min[k]!, max_w: max[k]! }]),
);

const machinePath = "packages/on-premise/src/lib/MachineTypes.ts";
const mapping = Object.fromEntries(
  [...show(machinePath).matchAll(/^ {2}'?([^':]+)'?: \[COMPUTE_PROCESSOR_TYPES\.(\w+)\]/gm)].map((m) => [
    m[1]!,
    names[m[2]!]!,
  ]),
);

const out = {
  source: {
    project: "Cloud Carbon Footprint",
    url: "https://github.com/cloud-carbon-footprint/cloud-carbon-footprint",
    commit: sha,
    license: "Apache-2.0 (see LICENSE.cloud-carbon-footprint)",
    files: [azurePath, awsPath, machinePath],
  },
  per_vcpu_watts: perVcpu,
  /** CCF's average over all microarchitectures (Azure constants): the unknown-CPU default. */
  default_per_vcpu_watts: { min_w: scalar(azure, "MIN_WATTS_AVG"), max_w: scalar(azure, "MAX_WATTS_AVG") },
  /** kWh per GB-hour in CCF, i.e. W per GB. */
  memory_w_per_gb: scalar(azure, "MEMORY_COEFFICIENT") * 1000,
  model_to_microarchitecture: mapping,
};
const target = join(import.meta.dirname, "..", "..", "data", "energy", "ccf-cpu-coefficients.json");
writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
console.log(
  `${target}: ${Object.keys(perVcpu).length} microarchitectures, ${Object.keys(mapping).length} CPU models`,
);
