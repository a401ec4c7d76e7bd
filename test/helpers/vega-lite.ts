/** Compiling report specs with Vega-Lite in tests, keeping what it says. */
import { compile } from "vega-lite";

/** Vega-Lite's messages above debug (`error: …`, `warn: …`, `info: …`) while compiling `spec`. */
export function compileMessages(spec: Parameters<typeof compile>[0]): string[] {
  const messages: string[] = [];
  let level = 0;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: (...args: unknown[]) => record("error", args),
    warn: (...args: unknown[]) => record("warn", args),
    info: (...args: unknown[]) => record("info", args),
    debug: () => logger,
  };
  function record(kind: string, args: unknown[]) {
    messages.push(`${kind}: ${args.join(" ")}`);
    return logger;
  }
  compile(spec, { logger: logger as never });
  return messages;
}
