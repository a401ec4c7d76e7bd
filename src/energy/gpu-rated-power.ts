/**
 * A GPU's rated board power, for modelled energy when neither NVML nor nvidia-smi can be read:
 * rated power × busy time, with a wide band (×0.25–×1.0: the rating is a ceiling, and a
 * memory-bound decode draws well under it). The rows are the maximum board power (TDP) NVIDIA
 * states in each product's data sheet / specification page (nvidia.com), matched against the
 * device names the backend reports ("CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, …)").
 * Apple silicon has no row: `sudo powermetrics --samplers cpu_power,gpu_power` measures its
 * package power (root only); give the figure as `hardware.power_w`.
 */

export interface GpuRatedPower {
  /** The names matched, joined ("NVIDIA H100 80GB HBM3 ×2"). */
  name: string;
  /** Rated power of all matched boards, W. */
  rated_w: number;
  low_factor: number;
  high_factor: number;
  note: string;
}

/** [pattern, rated W, row name]; first match wins (more specific rows first). */
export const GPU_RATED_POWER: readonly (readonly [RegExp, number, string])[] = [
  [/H200/i, 700, "H200 SXM"],
  [/H100.*NVL/i, 400, "H100 NVL"],
  [/H100.*PCIe/i, 350, "H100 PCIe"],
  [/H100/i, 700, "H100 SXM5"],
  [/A100.*PCIe/i, 300, "A100 80GB PCIe"],
  [/A100/i, 400, "A100 SXM4"],
  [/L40S/i, 350, "L40S"],
  [/L40\b/i, 300, "L40"],
  [/\bL4\b/i, 72, "L4"],
  [/\bT4\b/i, 70, "T4"],
  [/\bA10G?\b/i, 150, "A10"],
  [/V100.*PCIe/i, 250, "V100 PCIe"],
  [/V100/i, 300, "V100 SXM2"],
  [/RTX 4090/i, 450, "GeForce RTX 4090"],
  [/RTX 4080/i, 320, "GeForce RTX 4080"],
  [/RTX 3090/i, 350, "GeForce RTX 3090"],
  [/RTX 3080/i, 320, "GeForce RTX 3080"],
];

export const GPU_BAND = { low: 0.25, high: 1 } as const;

/**
 * The rated power of the GPUs a GPU device runs on, from their names; or why there is none (with
 * the measured path to take instead).
 */
export function gpuRatedPower(
  device: string,
  names: readonly string[],
): { found: true; rated: GpuRatedPower } | { found: false; hint: string | null } {
  const d = device.toLowerCase();
  if (d === "metal")
    return {
      found: false,
      hint:
        "Apple silicon: no power reading without root; `sudo powermetrics --samplers cpu_power,gpu_power` " +
        "measures the package power: give that figure as hardware.power_w",
    };
  if (d !== "cuda" && d !== "vulkan" && d !== "gpu") return { found: false, hint: null };
  const rows = names.map((n) => ({ name: n, row: GPU_RATED_POWER.find(([re]) => re.test(n)) }));
  const matched = rows.filter((r) => r.row !== undefined);
  if (matched.length === 0)
    return {
      found: false,
      hint:
        names.length === 0
          ? "the backend named no GPU: its rated power is unknown"
          : `no rated power known for ${names.join(", ")}`,
    };
  const rated = matched.reduce((sum, r) => sum + r.row![1], 0);
  const labels = [...new Set(matched.map((r) => r.row![2]))];
  const name =
    labels.length === 1 && matched.length > 1 ? `${labels[0]} ×${matched.length}` : labels.join(" + ");
  return {
    found: true,
    rated: {
      name,
      rated_w: rated,
      low_factor: GPU_BAND.low,
      high_factor: GPU_BAND.high,
      note: `${name}: rated ${rated} W (NVIDIA data sheet maximum board power)${
        matched.length < names.length
          ? `; ${names.length - matched.length} device(s) without a row not counted`
          : ""
      }`,
    },
  };
}
