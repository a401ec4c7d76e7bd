/**
 * The llama-server build needs no network: llama.cpp's CMake downloads a prebuilt web UI unless
 * told not to (seen in the build log: "UI: downloading from … failed"). A build with these flags
 * was checked to provision no UI assets (cmake --build --target llama-ui-assets); this guards
 * that the flags stay in the one cmake command the script runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const script = readFileSync(
  join(import.meta.dirname, "..", "..", "scripts", "build-llama-server.sh"),
  "utf8",
);

describe("scripts/build-llama-server.sh", () => {
  it("configures llama.cpp without its web UI, so nothing is downloaded", () => {
    const configure = script.match(/^cmake -S (?:[^\n]*\\\n)*[^\n]*/m)?.[0] ?? "";
    expect(configure).toContain("-DLLAMA_BUILD_SERVER=ON");
    expect(configure).toContain("-DLLAMA_USE_PREBUILT_UI=OFF");
    expect(configure).toContain("-DLLAMA_BUILD_UI=OFF");
  });
});
