/** A run directory that cannot be read: the message says why and what to do (exit code 2). */
export class RunDirError extends Error {
  override name = "RunDirError";
}
