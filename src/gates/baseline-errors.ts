/** The baseline's errors, apart from its reading (baseline.ts): a command checks them without loading it. */

/** A baseline that cannot be used as given (missing, not a summary, another suite): exit code 2. */
export class BaselineError extends Error {
  override name = "BaselineError";
}

/** A baseline URL that could not be fetched: opbench could not do its job, exit code 1. */
export class BaselineFetchError extends Error {
  override name = "BaselineFetchError";
}
