/**
 * Every built-in runner and scorer loaded before a test file runs: tests build scorers and read
 * the registries directly, without a suite that would load what it names (the CLI's lazy loading
 * is tested through the CLI and in test/e2e/lazy-plugins.test.ts).
 */
import { loadAllRunners } from "../../runners/index.ts";
import { loadAllScorers } from "../../src/scoring/index.ts";

await Promise.all([loadAllRunners(), loadAllScorers()]);
