// Adds lock-file entries for other platforms' optional binary packages that a Linux-only registry
// mirror does not serve (npm then leaves them out of package-lock.json, and `npm ci` refuses the
// lock). Each entry carries its os/cpu/libc, so npm skips it on this platform and never fetches it.
// Run after any `npm install` that rewrites the lock: node scripts/complete-lock.mjs
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const platform = {
  "android-arm64": { os: ["android"], cpu: ["arm64"] },
  "android-x64": { os: ["android"], cpu: ["x64"] },
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "linux-arm64-musl": { os: ["linux"], cpu: ["arm64"], libc: ["musl"] },
  "linux-x64-musl": { os: ["linux"], cpu: ["x64"], libc: ["musl"] },
  "linux-riscv64": { os: ["linux"], cpu: ["riscv64"] },
  "win32-arm64": { os: ["win32"], cpu: ["arm64"] },
  "win32-x64": { os: ["win32"], cpu: ["x64"] },
  "mac-arm64-metal": { os: ["darwin"], cpu: ["arm64"] },
  "mac-x64": { os: ["darwin"], cpu: ["x64"] },
  "win-arm64": { os: ["win32"], cpu: ["arm64"] },
  "win-x64": { os: ["win32"], cpu: ["x64"] },
  "win-x64-cuda": { os: ["win32"], cpu: ["x64"] },
  "win-x64-cuda-ext": { os: ["win32"], cpu: ["x64"] },
  "win-x64-vulkan": { os: ["win32"], cpu: ["x64"] },
};
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || path.includes(`${name}`)) continue;
    const suffix = Object.keys(platform).find((p) => name.endsWith(`-${p}`) || name.endsWith(`/${p}`));
    if (!suffix) continue;
    lock.packages[key] = { version: version.replace(/^[\^~]/, ""), optional: true, ...platform[suffix] };
    added++;
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
