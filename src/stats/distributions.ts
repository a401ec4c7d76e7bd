/**
 * The two distribution functions the statistics need: the binomial CDF (through the regularized
 * incomplete beta function) and the standard normal quantile. jStat supplies log-gamma and the
 * normal quantile; its own incomplete beta stops at 100 terms and a 3e-7 tolerance, too coarse
 * for order statistics of a million samples, so the continued fraction is evaluated here to
 * double precision (modified Lentz, Numerical Recipes §6.4). Both are checked against scipy in
 * test/unit/stats-distributions.test.ts. (The per-function @stdlib packages would cost ~40 MB of
 * memory at load.)
 */
import jStat from "jstat";

const EPS = 1e-15;
const TINY = 1e-300;

/** Continued fraction of I_x(a, b), for x < (a + 1) / (a + b + 2), where it converges fast. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const maxTerms = 200 + Math.ceil(20 * Math.sqrt(Math.max(a, b)));
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= maxTerms; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1]. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const logFront =
    jStat.gammaln(a + b) - jStat.gammaln(a) - jStat.gammaln(b) + a * Math.log(x) + b * Math.log1p(-x);
  return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
}

/** P(X ≤ k) for X ~ Binomial(n, p) = I_{1−p}(n − k, k + 1). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const kk = Math.floor(k);
  return regularizedBeta(1 - p, n - kk, kk + 1);
}

/** The standard normal quantile Φ⁻¹(q), q in (0, 1). */
export function normalQuantile(q: number): number {
  return jStat.normal.inv(q, 0, 1);
}

/** The standard normal distribution function Φ(x). */
export function normalCdf(x: number): number {
  return jStat.normal.cdf(x, 0, 1);
}

/** Two-sided p-value of a z statistic: 2·(1 − Φ(|z|)). */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}
