/** Numbers as gate verdicts print them. */

/** Up to 4 significant digits, no exponent for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 0.001) return String(Number(value.toPrecision(4)));
  return value.toExponential(2);
}

/** A fraction as percentage points, one decimal: 0.041 → "4.1". */
export function formatPoints(fraction: number): string {
  return (fraction * 100).toFixed(1);
}

/** A signed number with `digits` decimals: "+4.1", "−0.3". */
export function formatSigned(value: number, digits: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "+∞" : String(value);
  const text = Math.abs(value).toFixed(digits);
  return value < 0 ? `−${text}` : `+${text}`;
}
