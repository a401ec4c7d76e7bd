/**
 * The demo model's vocabulary: a small SentencePiece ("llama" SPM) vocabulary that llama.cpp
 * tokenizes like Llama 2's. Layout: <unk>, <s>, </s>, the 256 byte-fallback tokens <0x00>..<0xFF>
 * (so any text can be encoded), ChatML's <|im_start|> / <|im_end|>, single printable ASCII
 * characters, then "▁word" pieces (some capitalised too) and every prefix SPM's pairwise merges
 * need to reach them.
 */
import { DEMO_WORDS } from "./demo-words.ts";

/** llama_token_type codes (llama.cpp `llama_token_type`). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** What a token is, for weighting how likely the random model is to emit it. */
export type DemoTokenKind = "special" | "byte" | "char" | "prefix" | "word";

export interface DemoVocab {
  tokens: string[];
  /** SPM merge scores: higher merges first. */
  scores: number[];
  tokenTypes: number[];
  kinds: DemoTokenKind[];
  unkId: number;
  bosId: number;
  eosId: number;
  imStartId: number;
  imEndId: number;
}

/** How many of the most frequent words also get a capitalised piece ("▁The"). */
const TITLE_CASE_WORDS = 100;

/** SentencePiece's word-boundary marker (U+2581), which stands for a space. */
export const SPM_SPACE = "\u2581";

/** Builds the demo vocabulary (deterministic: same list every time). */
export function buildDemoVocab(): DemoVocab {
  const vocab: DemoVocab = {
    tokens: [],
    scores: [],
    tokenTypes: [],
    kinds: [],
    unkId: 0,
    bosId: 1,
    eosId: 2,
    imStartId: -1,
    imEndId: -1,
  };
  const ids = new Map<string, number>();
  const add = (text: string, type: number, kind: DemoTokenKind, score: number): number => {
    const existing = ids.get(text);
    if (existing !== undefined) return existing;
    const id = vocab.tokens.length;
    ids.set(text, id);
    vocab.tokens.push(text);
    vocab.scores.push(score);
    vocab.tokenTypes.push(type);
    vocab.kinds.push(kind);
    return id;
  };
  add("<unk>", TOKEN_TYPE.unknown, "special", 0);
  add("<s>", TOKEN_TYPE.control, "special", 0);
  add("</s>", TOKEN_TYPE.control, "special", 0);
  for (let b = 0; b < 256; b++) {
    add(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, TOKEN_TYPE.byte, "byte", 0);
  }
  vocab.imStartId = add("<|im_start|>", TOKEN_TYPE.control, "special", 0);
  vocab.imEndId = add("<|im_end|>", TOKEN_TYPE.control, "special", 0);
  // Pieces get falling scores in order of appearance: frequent words' pieces merge first.
  let rank = 0;
  add(SPM_SPACE, TOKEN_TYPE.normal, "char", -rank++);
  for (let c = 0x21; c <= 0x7e; c++) add(String.fromCharCode(c), TOKEN_TYPE.normal, "char", -rank++);
  // Lower-case words, then the most frequent ones capitalised, as at the start of a sentence.
  const capitalised = DEMO_WORDS.slice(0, TITLE_CASE_WORDS).map(
    (w) => w.charAt(0).toUpperCase() + w.slice(1),
  );
  for (const word of [...DEMO_WORDS, ...capitalised]) {
    const piece = SPM_SPACE + word;
    for (let len = 2; len < piece.length; len++)
      add(piece.slice(0, len), TOKEN_TYPE.normal, "prefix", -rank++);
    const id = add(piece, TOKEN_TYPE.normal, "word", -rank++);
    // A word that is also another word's prefix ("▁a" of "▁about") is a word.
    vocab.kinds[id] = "word";
  }
  return vocab;
}
