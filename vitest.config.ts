import { defineConfig } from "vitest/config";

/**
 * Three rings of tests (see ARCHITECTURE.md): `unit` needs no process or server and no
 * llama-server build (`npx vitest run --project unit`); `integration` runs against the real
 * llama-server (built once by the global setup) and scripted servers; `e2e` runs the CLI as a
 * user does. `npm test` runs all three.
 */
const needsLlamaServer = { globalSetup: ["test/setup/global.ts"] };

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 900_000,
    pool: "forks",
    setupFiles: ["test/setup/plugins.ts"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], ...needsLlamaServer },
      },
      { extends: true, test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], ...needsLlamaServer } },
    ],
  },
});
