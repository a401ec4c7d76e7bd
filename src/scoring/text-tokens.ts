/** Tokenisers of the overlap scorers (token_f1, rouge_l), Unicode-aware. */

// SQuAD's normalisation removes Python's string.punctuation: ASCII punctuation and these ASCII
// symbols; every Unicode punctuation character (category P) goes too.
const SQUAD_PUNCTUATION = /[\p{P}$+<=>^`|~]/gu;
// The same on ASCII text (string.punctuation exactly), without the Unicode tables' cost.
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g;
const NON_ASCII = /[^\x00-\x7f]/;
const ARTICLES = new Set(["a", "an", "the"]);
const WHITESPACE = /\s+/u;

/**
 * SQuAD's answer normalisation, as its official evaluation script does it, made Unicode-aware:
 * lower case, punctuation removed, the English articles a/an/the dropped, split on whitespace.
 */
export function squadTokens(text: string): string[] {
  if (NON_ASCII.test(text)) {
    const words = text.toLowerCase().replace(SQUAD_PUNCTUATION, "").split(WHITESPACE);
    return words.filter((word) => word !== "" && !ARTICLES.has(word));
  }
  return asciiSquadTokens(text.toLowerCase());
}

/** The same on lower-cased ASCII text, in one scan (the scorers' hot path). */
function asciiSquadTokens(lower: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  let punctuated = false;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    if (c === 32 || (c >= 9 && c <= 13)) {
      if (start < 0) continue;
      let word = lower.slice(start, i);
      if (punctuated) word = word.replace(ASCII_PUNCTUATION, "");
      if (word !== "" && !ARTICLES.has(word)) tokens.push(word);
      start = -1;
      punctuated = false;
    } else {
      if (start < 0) start = i;
      if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
        punctuated = true;
      }
    }
  }
  return tokens;
}

const UNICODE_WORD = /[\p{L}\p{N}\p{M}]+/gu;
const ASCII_WORD = /[a-z0-9]+/g;

/**
 * ROUGE's tokens: lower case, runs of letters and digits. `ascii` is rouge-score's own tokenizer
 * (`[a-z0-9]+`, which drops every other letter: "café" → "caf"); `unicode` keeps any script's
 * letters, digits and combining marks and equals it on ASCII text.
 */
export function rougeTokens(text: string, tokenizer: "unicode" | "ascii" = "unicode"): string[] {
  const lower = text.toLowerCase();
  // On ASCII text both tokenizers agree; the ASCII pattern skips the Unicode tables.
  const pattern = tokenizer === "ascii" || !NON_ASCII.test(lower) ? ASCII_WORD : UNICODE_WORD;
  return lower.match(pattern) ?? [];
}
