/** Tokenisers of the overlap scorers (token_f1, rouge_l), Unicode-aware. */

// SQuAD's normalisation removes Python's string.punctuation: ASCII punctuation and these ASCII
// symbols; every Unicode punctuation character (category P) goes too.
const SQUAD_PUNCTUATION = /[\p{P}$+<=>^`|~]/gu;
const ARTICLES = new Set(["a", "an", "the"]);
const WHITESPACE = /\s+/u;

/**
 * SQuAD's answer normalisation, as its official evaluation script does it, made Unicode-aware:
 * lower case, punctuation removed, the English articles a/an/the dropped, split on whitespace.
 */
export function squadTokens(text: string): string[] {
  const words = text.toLowerCase().replace(SQUAD_PUNCTUATION, "").split(WHITESPACE);
  return words.filter((word) => word !== "" && !ARTICLES.has(word));
}

const UNICODE_WORD = /[\p{L}\p{N}\p{M}]+/gu;
const ASCII_WORD = /[a-z0-9]+/g;

/**
 * ROUGE's tokens: lower case, runs of letters and digits. `ascii` is rouge-score's own tokenizer
 * (`[a-z0-9]+`, which drops every other letter: "café" → "caf"); `unicode` keeps any script's
 * letters, digits and combining marks and equals it on ASCII text.
 */
export function rougeTokens(text: string, tokenizer: "unicode" | "ascii" = "unicode"): string[] {
  return text.toLowerCase().match(tokenizer === "ascii" ? ASCII_WORD : UNICODE_WORD) ?? [];
}
