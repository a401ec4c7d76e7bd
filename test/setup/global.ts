/**
 * Builds (or finds in the cache) the real llama-server that the llama.cpp tests run against,
 * and hands its path to the tests as OPBENCH_TEST_LLAMA_SERVER. First build: several minutes.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  if (process.env.OPBENCH_TEST_LLAMA_SERVER) return;
  const script = fileURLToPath(new URL("../../scripts/build-llama-server.sh", import.meta.url));
  const path = execFileSync("bash", [script], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.OPBENCH_TEST_LLAMA_SERVER = path;
}
