/**
 * undici's client requires its HTTP/2 half (`client-h2.js`) when it loads, and with it
 * `node:http2` and `tls`: ~10–20 ms of every run's start, for a protocol that only a TLS
 * connection offering h2 (a hosted API) or an h2c one uses. Imported before the transport loads
 * undici, this puts a stand-in for `client-h2.js` into the CommonJS module cache: the function the
 * client calls for an h2 connection, which loads the real module on that first call.
 */
import { createRequire, Module } from "node:module";

type ConnectH2 = (this: unknown, ...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);

/** Puts the stand-in in place unless `client-h2.js` is loaded already; returns its path. */
export function deferUndiciH2(): string {
  const path = require.resolve("undici/lib/dispatcher/client-h2.js");
  if (require.cache[path]) return path;
  let real: ConnectH2 | undefined;
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = function connectH2(this: unknown, ...args: unknown[]) {
    if (real === undefined) {
      if (require.cache[path] === standIn) delete require.cache[path];
      real = require(path) as ConnectH2;
    }
    return real.apply(this, args);
  };
  require.cache[path] = standIn;
  return path;
}

deferUndiciH2();
