/** Start-up checks of an attached llama-server that no current llama-server fails (scripted server). */
import { afterEach, describe, expect, it } from "vitest";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import type { LlamaCppModel } from "../../runners/llamacpp-config.ts";
import { type FaultServer, type Reply, startFaultServer } from "../helpers/fault-server.ts";
import { collect, runnerContext } from "../helpers/runner-events.ts";

const PROPS = { total_slots: 1, build_info: "b4400-old", chat_template: "{{ messages }}" };

/** A llama-server from before /apply-template: everything else answers as usual. */
function oldServer(path: string): Reply {
  if (path === "/health") return { kind: "json", body: { status: "ok" } };
  if (path === "/props") return { kind: "json", body: PROPS };
  if (path === "/lora-adapters") return { kind: "json", body: [] };
  if (path.startsWith("/completion")) {
    return { kind: "sse", text: 'data: {"content":"hi","stop":true,"tokens_predicted":1}\n\n' };
  }
  return { kind: "json", status: 404, body: "" };
}

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("llamacpp endpoint: completion on a server without /apply-template", () => {
  it("fails the model at start, naming the endpoint, where it came from and the server's build", async () => {
    server = await startFaultServer((request) => oldServer(request.url));
    const config = {
      id: "old",
      runner: "llamacpp",
      url: server.url,
      endpoint: "completion",
    } as LlamaCppModel;
    const runner = createLlamaCppRunner(config);
    const started = runner.startup!(runnerContext(1));
    await expect(started).rejects.toThrow(/POST \/apply-template/);
    await expect(started).rejects.toThrow(/HTTP 404/);
    await expect(started).rejects.toThrow(/PR #11489.*b4400-old.*endpoint: chat/);
    // It never got as far as a call.
    expect(server.requests.some((r) => r.url === "/completion")).toBe(false);
  });

  it("starts where the endpoint answers, and formats the prompt through it", async () => {
    server = await startFaultServer((request) =>
      request.url === "/apply-template"
        ? { kind: "json", body: { prompt: "<user>ping</user>" } }
        : oldServer(request.url),
    );
    const config = {
      id: "new",
      runner: "llamacpp",
      url: server.url,
      endpoint: "completion",
    } as LlamaCppModel;
    const runner = createLlamaCppRunner(config);
    await expect(runner.startup!(runnerContext(1))).resolves.toMatchObject({ endpoint: "completion" });
    const events = await collect(runner, {
      prompt: "ping",
      maxTokens: 4,
      stream: true,
      signal: new AbortController().signal,
    });
    expect(events.some((e) => e.type === "delta" && e.text === "hi")).toBe(true);
    const completion = server.requests.find((r) => r.url === "/completion");
    expect(JSON.parse(completion!.body)).toMatchObject({ prompt: "<user>ping</user>" });
  });

  it("leaves endpoint: chat alone (it needs no /apply-template)", async () => {
    server = await startFaultServer((request) => oldServer(request.url));
    const runner = createLlamaCppRunner({ id: "c", runner: "llamacpp", url: server.url } as LlamaCppModel);
    await expect(runner.startup!(runnerContext(1))).resolves.toMatchObject({ endpoint: "chat" });
    expect(server.requests.some((r) => r.url === "/apply-template")).toBe(false);
  });
});
