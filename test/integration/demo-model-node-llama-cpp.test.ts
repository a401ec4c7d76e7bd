/** The demo model loads and generates in-process with node-llama-cpp (CPU, prebuilt binaries). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  getLlama,
  type Llama,
  LlamaChatSession,
  LlamaCompletion,
  LlamaLogLevel,
  type LlamaModel,
} from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemoModel } from "../../src/demo-model/demo-model.ts";

let dir: string;
let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "opbench-demo-nlc-"));
  const path = join(dir, "demo.gguf");
  await writeDemoModel(path);
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: path });
});

afterAll(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("demo model in node-llama-cpp", () => {
  it("tokenizes common words as single pieces and round-trips text", () => {
    expect(model.tokenize("the house")).toHaveLength(2);
    const text = "Hello, wörld! 123\n";
    expect(model.detokenize(model.tokenize(text)).trimStart()).toBe(text);
  });

  it("completes a prompt, deterministically at temperature 0", async () => {
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    try {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      const first = await completion.generateCompletion("The house of the", {
        maxTokens: 12,
        temperature: 0,
      });
      expect(first.trim().length).toBeGreaterThan(0);
      const again = await completion.generateCompletion("The house of the", {
        maxTokens: 12,
        temperature: 0,
      });
      expect(again).toBe(first);
    } finally {
      await context.dispose();
    }
  });

  it("chats through its ChatML template, and a grammar restricts the answer to labels", async () => {
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    try {
      const session = new LlamaChatSession({
        contextSequence: context.getSequence(),
        systemPrompt: "Be brief.",
      });
      expect(session.chatWrapper.wrapperName).toBe("ChatML");
      const answer = await session.prompt("Is this a good day?", { maxTokens: 12 });
      expect(answer.trim().length).toBeGreaterThan(0);

      const grammar = await llama.createGrammar({ grammar: 'root ::= "positive" | "negative" | "neutral"' });
      session.resetChatHistory();
      const label = await session.prompt("Sentiment of: I love it", { grammar, maxTokens: 8 });
      expect(["positive", "negative", "neutral"]).toContain(label);
    } finally {
      await context.dispose();
    }
  });
});
