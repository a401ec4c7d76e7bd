/**
 * Turns off the network inside a sandboxed process before untrusted code runs. Node's permission
 * model (22 and 24) does not cover sockets, so this is the in-process layer; the process is also
 * started in its own network namespace where the host allows it (see isolation.ts).
 */
import { createRequire, syncBuiltinESMExports } from "node:module";

function denied(): never {
  const error = new Error("network access is disabled in the opbench sandbox") as Error & { code: string };
  error.code = "ERR_ACCESS_DENIED";
  throw error;
}

/** Methods replaced by `denied`, per built-in module (objects inside are prototypes). */
const BLOCKED: Record<string, string[]> = {
  net: ["connect", "createConnection", "createServer"],
  tls: ["connect", "createServer"],
  http: ["request", "get", "createServer"],
  https: ["request", "get", "createServer"],
  http2: ["connect", "createServer", "createSecureServer"],
  dgram: ["createSocket"],
  dns: ["lookup", "lookupService", "resolve", "resolve4", "resolve6", "resolveAny", "reverse"],
};

/** Replaces every network entry point with one that throws `ERR_ACCESS_DENIED`. */
export function lockNetwork(): void {
  const require = createRequire(import.meta.url);
  for (const [name, methods] of Object.entries(BLOCKED)) {
    const module = require(`node:${name}`) as Record<string, unknown>;
    for (const method of methods) module[method] = denied;
  }
  const net = require("node:net") as typeof import("node:net");
  net.Socket.prototype.connect = denied;
  net.Server.prototype.listen = denied;
  const dnsPromises = require("node:dns/promises") as Record<string, unknown>;
  for (const method of BLOCKED.dns!) dnsPromises[method] = denied;
  const globals = globalThis as Record<string, unknown>;
  for (const name of ["fetch", "WebSocket", "EventSource"]) {
    Object.defineProperty(globals, name, { value: denied, writable: false, configurable: false });
  }
  syncBuiltinESMExports();
}
