/**
 * opbench's built-in demo model: a tiny Llama-architecture GGUF with deterministic pseudo-random
 * weights and a small real SPM vocabulary, written on the fly so the quickstart runs with no
 * network and no download. It loads in llama-server and node-llama-cpp, streams, follows
 * grammars and chat templates, and produces word salad: its accuracy means nothing.
 */

import { type GgufMetadataValue, gguf } from "../gguf/gguf-format.ts";
import { type GgufTensorSource, writeGguf } from "../gguf/gguf-writer.ts";
import { hashSeed, mulberry32 } from "../stats/prng.ts";
import { buildDemoVocab, type DemoTokenKind } from "./demo-vocab.ts";
import { uniformTensor } from "./random-tensors.ts";

export interface DemoModelOptions {
  /** PRNG seed of all weights (default 1). */
  seed?: number;
  /** Embedding width (default 64). */
  nEmbd?: number;
  /** Transformer blocks (default 2). */
  nLayer?: number;
  /** Attention heads (default 4); must divide nEmbd. */
  nHead?: number;
  /** Key/value heads (default 2, grouped-query attention); must divide nHead. */
  nHeadKv?: number;
  /** Feed-forward width (default 128). */
  nFf?: number;
  /** Training context, in tokens (default 2048). */
  contextLength?: number;
}

/** The dimensions opbench's cached demo model uses. */
export const DEMO_MODEL_DEFAULTS: Readonly<Required<DemoModelOptions>> = {
  seed: 1,
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  nFf: 128,
  contextLength: 2048,
};

export const DEMO_MODEL_NAME = "opbench-demo-random";

/** ChatML, with the <|im_start|>/<|im_end|> control tokens of the demo vocabulary. */
export const DEMO_CHAT_TEMPLATE =
  "{%- for message in messages -%}" +
  "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}" +
  "{%- endfor -%}" +
  "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}";

/**
 * How much of the random output projection each kind of token gets: whole words dominate the
 * (meaningless) output, bytes and word fragments are rare, and end-of-generation tokens have
 * zero logits so greedy decoding never stops at once (sampling still stops now and then).
 */
const OUTPUT_SCALE: Record<DemoTokenKind, number> = {
  special: 0,
  byte: 0.25,
  char: 0.5,
  prefix: 0.5,
  word: 1,
};
/** Half-width of the uniform output weights: logits spread ~±2 for a unit-RMS hidden state. */
const OUTPUT_HALF_WIDTH = 0.5;

/**
 * Writes the demo model GGUF to `path`. Same options → byte-identical file (~0.5 MB by default).
 * @returns the file size in bytes.
 */
export async function writeDemoModel(
  path: string,
  options: DemoModelOptions = {},
): Promise<{ bytes: number }> {
  const o = { ...DEMO_MODEL_DEFAULTS, ...options };
  if (o.nEmbd % o.nHead !== 0 || o.nHead % o.nHeadKv !== 0) {
    throw new Error("demo model: nHead must divide nEmbd and nHeadKv must divide nHead");
  }
  const vocab = buildDemoVocab();
  const nVocab = vocab.tokens.length;
  const headDim = o.nEmbd / o.nHead;
  const nEmbdKv = headDim * o.nHeadKv;
  const metadata: [string, GgufMetadataValue][] = [
    ["general.architecture", gguf.string("llama")],
    ["general.type", gguf.string("model")],
    ["general.name", gguf.string(DEMO_MODEL_NAME)],
    [
      "general.description",
      gguf.string(
        `opbench built-in DEMO model with RANDOM weights (seed ${o.seed}): its output is gibberish and ` +
          "its accuracy means nothing. For trying opbench without downloading a model.",
      ),
    ],
    ["general.license", gguf.string("MIT")],
    ["general.file_type", gguf.uint32(1)],
    ["llama.vocab_size", gguf.uint32(nVocab)],
    ["llama.context_length", gguf.uint32(o.contextLength)],
    ["llama.embedding_length", gguf.uint32(o.nEmbd)],
    ["llama.block_count", gguf.uint32(o.nLayer)],
    ["llama.feed_forward_length", gguf.uint32(o.nFf)],
    ["llama.rope.dimension_count", gguf.uint32(headDim)],
    ["llama.rope.freq_base", gguf.float32(10000)],
    ["llama.attention.head_count", gguf.uint32(o.nHead)],
    ["llama.attention.head_count_kv", gguf.uint32(o.nHeadKv)],
    ["llama.attention.layer_norm_rms_epsilon", gguf.float32(1e-5)],
    ["tokenizer.ggml.model", gguf.string("llama")],
    ["tokenizer.ggml.tokens", gguf.array("string", vocab.tokens)],
    ["tokenizer.ggml.scores", gguf.array("float32", vocab.scores)],
    ["tokenizer.ggml.token_type", gguf.array("int32", vocab.tokenTypes)],
    ["tokenizer.ggml.bos_token_id", gguf.uint32(vocab.bosId)],
    ["tokenizer.ggml.eos_token_id", gguf.uint32(vocab.eosId)],
    ["tokenizer.ggml.unknown_token_id", gguf.uint32(vocab.unkId)],
    ["tokenizer.ggml.eot_token_id", gguf.uint32(vocab.imEndId)],
    ["tokenizer.ggml.add_bos_token", gguf.bool(true)],
    ["tokenizer.ggml.add_eos_token", gguf.bool(false)],
    ["tokenizer.chat_template", gguf.string(DEMO_CHAT_TEMPLATE)],
  ];

  const tensors: GgufTensorSource[] = [
    uniformTensor(o.seed, "token_embd.weight", [o.nEmbd, nVocab], 1, "F16"),
  ];
  for (let i = 0; i < o.nLayer; i++) {
    const blk = `blk.${i}`;
    tensors.push(
      onesTensor(`${blk}.attn_norm.weight`, o.nEmbd),
      matrix(o.seed, `${blk}.attn_q.weight`, o.nEmbd, o.nEmbd),
      matrix(o.seed, `${blk}.attn_k.weight`, o.nEmbd, nEmbdKv),
      matrix(o.seed, `${blk}.attn_v.weight`, o.nEmbd, nEmbdKv),
      matrix(o.seed, `${blk}.attn_output.weight`, o.nEmbd, o.nEmbd),
      onesTensor(`${blk}.ffn_norm.weight`, o.nEmbd),
      matrix(o.seed, `${blk}.ffn_gate.weight`, o.nEmbd, o.nFf),
      matrix(o.seed, `${blk}.ffn_up.weight`, o.nEmbd, o.nFf),
      matrix(o.seed, `${blk}.ffn_down.weight`, o.nFf, o.nEmbd),
    );
  }
  tensors.push(onesTensor("output_norm.weight", o.nEmbd), outputTensor(o.seed, o.nEmbd, vocab.kinds));
  return writeGguf(path, { metadata, tensors });
}

/** A [nIn, nOut] F16 weight, uniform with variance 1/nIn so activations keep their scale. */
function matrix(seed: number, name: string, nIn: number, nOut: number): GgufTensorSource {
  return uniformTensor(seed, name, [nIn, nOut], Math.sqrt(3 / nIn), "F16");
}

/** RMS-norm weights of 1 (F32, as converters store 1-D tensors). */
function onesTensor(name: string, n: number): GgufTensorSource {
  return { name, dims: [n], type: "F32", values: () => [new Float32Array(n).fill(1)] };
}

/** The output projection [nEmbd, nVocab]: one row per token, scaled by its kind (OUTPUT_SCALE). */
function outputTensor(seed: number, nEmbd: number, kinds: readonly DemoTokenKind[]): GgufTensorSource {
  const name = "output.weight";
  return {
    name,
    dims: [nEmbd, kinds.length],
    type: "F16",
    values: function* () {
      const next = mulberry32(hashSeed(seed, name));
      for (const kind of kinds) {
        const row = new Float32Array(nEmbd);
        const scale = OUTPUT_SCALE[kind] * OUTPUT_HALF_WIDTH;
        for (let i = 0; i < nEmbd; i++) row[i] = (next() * 2 - 1) * scale;
        yield row;
      }
    },
  };
}
