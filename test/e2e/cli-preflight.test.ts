import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";

describe("opbench run pre-flight", () => {
  let server: Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function suite(): string {
    const dir = mkdtempSync(join(tmpdir(), "opbench-preflight-"));
    const path = join(dir, "suite.yaml");
    writeFileSync(
      path,
      [
        "name: preflight",
        "defaults: {max_tokens: 100}",
        "retry: {attempts: 1}",
        "models:",
        `  - {id: gpt, runner: openai, model: gpt-4o-mini, base_url: "${url}/v1"}`,
        `  - {id: claude, runner: anthropic, model: claude-3-5-haiku-20241022, base_url: "${url}", api_key_env: MY_CLAUDE_KEY}`,
        `  - {id: mystery, runner: openai-compatible, model: no-such-model-xyz, base_url: "${url}/v1"}`,
        "tasks:",
        "  - {id: t, prompt: 'Q: {{q}}', dataset: [{q: one, expected: '1'}, {q: two, expected: '2'}]}",
      ].join("\n"),
    );
    return path;
  }

  it("names every missing API key before any call, exits 2 and writes nothing", async () => {
    const path = suite();
    const out = join(mkdtempSync(join(tmpdir(), "opbench-preflight-")), "run");
    const env = { ...process.env };
    delete env.OPENAI_API_KEY;
    delete env.MY_CLAUDE_KEY;
    const before = requests;
    const result = await runCli(["run", path, "--out", out], env, true);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no call was made");
    expect(result.stderr).toContain("OPENAI_API_KEY (model gpt)");
    expect(result.stderr).toContain("MY_CLAUDE_KEY (model claude)");
    expect(requests).toBe(before);
    expect(existsSync(out)).toBe(false);
  });

  it("--resume keeps skipping what a --skip-missing-keys run skipped", async () => {
    const path = suite();
    const out = join(mkdtempSync(join(tmpdir(), "opbench-preflight-")), "run");
    const env: NodeJS.ProcessEnv = { ...process.env, MY_CLAUDE_KEY: "k", OPENAI_API_KEY: "" };
    const first = await runCli(["run", path, "--out", out, "--skip-missing-keys"], env, true);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("model gpt skipped: OPENAI_API_KEY is not set (--skip-missing-keys)");
    const resumed = await runCli(["run", "--resume", out], env, true);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain("model gpt skipped: OPENAI_API_KEY is not set");
    expect(resumed.stderr).not.toContain("no call was made");
    // Asked not to, it refuses as a run without the flag does.
    const strict = await runCli(["run", "--resume", out, "--no-skip-missing-keys"], env, true);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain("OPENAI_API_KEY (model gpt)");
  });

  it("--dry-run prints calls, token estimates and the cost bound per model, and calls nothing", async () => {
    const path = suite();
    const before = requests;
    const result = await runCli(["run", path, "--dry-run"], {
      ...process.env,
      OPENAI_API_KEY: "sk-test-dry-run",
    });
    expect(result.code).toBe(0);
    expect(requests).toBe(before);
    expect(result.stdout).toMatch(/gpt\s*│\s*api\s*│\s*2 \(\+0\)\s*│\s*\d+\s*│\s*200\s*│\s*\$0\.\d+/);
    expect(result.stdout).toContain("unknown price"); // the openai-compatible model is not in the price list
    expect(result.stdout).toContain("Estimated API cost at most: unknown");
    expect(result.stdout).toContain("No call was made.");
    expect(result.stdout).toContain("Missing API keys: MY_CLAUDE_KEY (model claude)");
  });
});
