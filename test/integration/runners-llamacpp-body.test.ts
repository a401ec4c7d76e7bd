/** Pure parts of the llama.cpp runner: request bodies, LoRA resolution, server arguments, devices. */
import { describe, expect, it } from "vitest";
import { chatBody, completionBody, resolveLora } from "../../runners/llamacpp-body.ts";
import {
  deviceOf,
  parseDeviceList,
  resolveBinary,
  sanitizeId,
  serverArgs,
} from "../../runners/llamacpp-spawn.ts";
import { llamaServerBinary } from "../helpers/llama-server.ts";
import { request } from "../helpers/runner-events.ts";

const base = { cachePrompt: false };

describe("chatBody", () => {
  it("carries the system and user turns, sampling parameters and usage for streams", () => {
    const body = chatBody(
      request({
        system: "Be terse.",
        prompt: "Hi",
        maxTokens: 5,
        temperature: 0.2,
        topP: 0.9,
        topK: 7,
        seed: 3,
        stop: ["\n"],
      }),
      base,
    );
    expect(body).toEqual({
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      top_k: 7,
      seed: 3,
      stop: ["\n"],
      cache_prompt: false,
    });
  });

  it("leaves out what the request does not set, and stream_options when not streaming", () => {
    expect(chatBody(request({ stream: false, prompt: "x", maxTokens: 2 }), { cachePrompt: true })).toEqual({
      messages: [{ role: "user", content: "x" }],
      max_tokens: 2,
      stream: false,
      cache_prompt: true,
    });
  });

  it("asks for JSON-schema output through response_format and GBNF through grammar", () => {
    const schema = { type: "object", properties: { a: { type: "integer" } } };
    expect(chatBody(request({ structured: { type: "json_schema", schema } }), base).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "output", schema, strict: true },
    });
    const grammar = 'root ::= "yes" | "no"';
    const body = chatBody(request({ structured: { type: "grammar", grammar } }), base);
    expect(body.grammar).toBe(grammar);
    expect(body.response_format).toBeUndefined();
  });

  it("adds lora and merges extra_body last", () => {
    const body = chatBody(request(), {
      cachePrompt: false,
      lora: [{ id: 0, scale: 0.5 }],
      extraBody: { cache_prompt: true, min_p: 0.1 },
    });
    expect(body.lora).toEqual([{ id: 0, scale: 0.5 }]);
    expect(body.cache_prompt).toBe(true);
    expect(body.min_p).toBe(0.1);
  });
});

describe("completionBody", () => {
  it("sends the formatted prompt with n_predict and the schema as json_schema", () => {
    const schema = { type: "string" };
    expect(
      completionBody(
        "<|im_start|>user\nHi",
        request({ maxTokens: 9, stream: false, structured: { type: "json_schema", schema } }),
        base,
      ),
    ).toEqual({
      prompt: "<|im_start|>user\nHi",
      n_predict: 9,
      stream: false,
      json_schema: schema,
      cache_prompt: false,
    });
  });
});

describe("resolveLora", () => {
  const loaded = ["/m/a.gguf", "/m/b.gguf", "/m/c.gguf"];

  it("maps paths to ids and gives every other adapter scale 0", () => {
    expect(resolveLora([{ path: "/m/b.gguf", scale: 0.7 }], loaded, false)).toEqual([
      { id: 0, scale: 0 },
      { id: 1, scale: 0.7 },
      { id: 2, scale: 0 },
    ]);
  });

  it("takes ids as they are and defaults the scale to 1", () => {
    expect(resolveLora([{ id: 2 } as never], loaded, false)).toEqual([
      { id: 0, scale: 0 },
      { id: 1, scale: 0 },
      { id: 2, scale: 1 },
    ]);
  });

  it("matches a path given differently but resolving to the same file", () => {
    expect(resolveLora([{ path: "/m/x/../a.gguf", scale: 1 }], loaded, false)?.[0]).toEqual({
      id: 0,
      scale: 1,
    });
  });

  it("sends all-zero scales for a model without adapters only when asked to be explicit", () => {
    expect(resolveLora(undefined, loaded, true)).toEqual(loaded.map((_, id) => ({ id, scale: 0 })));
    expect(resolveLora(undefined, loaded, false)).toBeUndefined();
    expect(resolveLora([], [], true)).toBeUndefined();
  });

  it("rejects adapters the server has not loaded", () => {
    expect(() => resolveLora([{ path: "/m/z.gguf", scale: 1 }], loaded, false)).toThrow(
      /not loaded.*0: \/m\/a\.gguf/,
    );
    expect(() => resolveLora([{ id: 3, scale: 1 }], loaded, false)).toThrow(/id 3 is not loaded/);
  });
});

describe("serverArgs", () => {
  it("defaults the slots to the concurrency and the context to 2048 tokens per slot", () => {
    expect(serverArgs({ model: "/m.gguf" }, 3)).toEqual([
      "-m",
      "/m.gguf",
      "--host",
      "127.0.0.1",
      "-np",
      "3",
      "-c",
      "6144",
      "--metrics",
      "--jinja",
    ]);
  });

  it("passes threads, GPU layers, adapters (unapplied) and extra args verbatim", () => {
    const args = serverArgs(
      {
        model: "/m.gguf",
        parallel: 2,
        ctx_size: 1000,
        threads: 4,
        gpu_layers: "all",
        lora: ["/a.gguf", "/b.gguf"],
        args: ["--jinja", "-fa", "on"],
      },
      8,
    );
    expect(args).toEqual([
      "-m",
      "/m.gguf",
      "--host",
      "127.0.0.1",
      "-np",
      "2",
      "-c",
      "1000",
      "-t",
      "4",
      "-ngl",
      "all",
      "--lora",
      "/a.gguf",
      "--lora",
      "/b.gguf",
      "--lora-init-without-apply",
      "--metrics",
      "--jinja",
      "-fa",
      "on",
    ]);
  });
});

describe("devices", () => {
  const output = "Available devices:\n  CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80500 MiB free)\n";

  it("parses --list-devices output", () => {
    expect(parseDeviceList(output)).toEqual(["CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80500 MiB free)"]);
    expect(parseDeviceList("Available devices:\n  (none)\n")).toEqual([]);
  });

  it("names the backend, or cpu when nothing is offloaded", () => {
    const devices = parseDeviceList(output);
    expect(deviceOf(devices, { model: "m" })).toBe("cuda");
    expect(deviceOf(devices, { model: "m", gpu_layers: 0 })).toBe("cpu");
    expect(deviceOf(devices, { model: "m", args: ["-ngl", "0"] })).toBe("cpu");
    expect(deviceOf(devices, { model: "m", args: ["--device", "none"] })).toBe("cpu");
    expect(deviceOf([], { model: "m", gpu_layers: 99 })).toBe("cpu");
    expect(deviceOf(["Vulkan0: AMD Radeon"], { model: "m" })).toBe("vulkan");
  });
});

describe("resolveBinary", () => {
  it("prefers spawn.binary, then $LLAMA_SERVER, then PATH", () => {
    const binary = llamaServerBinary();
    const dir = binary.slice(0, binary.lastIndexOf("/"));
    expect(resolveBinary(binary, {})).toBe(binary);
    expect(resolveBinary(undefined, { LLAMA_SERVER: binary })).toBe(binary);
    expect(resolveBinary(undefined, { PATH: `/nonexistent:${dir}` })).toBe(binary);
  });

  it("says where it looked when there is none", () => {
    expect(() => resolveBinary(undefined, { PATH: "/nonexistent" })).toThrow(
      /PATH: llama-server.*spawn\.binary.*LLAMA_SERVER/s,
    );
    expect(() => resolveBinary(undefined, { LLAMA_SERVER: "/no/such" })).toThrow(
      /\$LLAMA_SERVER: \/no\/such/,
    );
  });
});

it("sanitizes model ids for file names", () => {
  expect(sanitizeId("org/model:q4@v2")).toBe("org_model_q4_v2");
});
