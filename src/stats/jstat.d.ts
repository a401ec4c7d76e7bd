/** The part of jStat opbench uses (the package ships no types). */
declare module "jstat" {
  const jStat: {
    /** Log-gamma function. */
    gammaln(x: number): number;
    normal: {
      inv(p: number, mean: number, std: number): number;
      cdf(x: number, mean: number, std: number): number;
    };
  };
  export default jStat;
}
