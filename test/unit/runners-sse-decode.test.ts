/**
 * The SSE reader's text decoding: whatever the chunking of the bytes (characters split across
 * chunks, a byte-order mark at the start, ASCII and multi-byte chunk ends mixed), the events'
 * data is the text that was sent.
 */
import { describe, expect, it } from "vitest";
import { readSse } from "../../runners/sse.ts";

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
}

async function eventData(bytes: Buffer, cuts: number[]): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readSse(chunked(bytes, cuts), new AbortController().signal)) {
    for (const message of batch.messages) out.push(message.data);
  }
  return out;
}

describe("readSse decoding", () => {
  const texts = ["plain", "é ü", "日本語", "🙂 end", "x"];
  const stream = texts.map((text) => `data: ${text}\n\n`).join("");

  it("gives the sent text for every split of the body into three chunks", async () => {
    for (const bom of [false, true]) {
      const bytes = Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(stream, "utf8")]);
      for (let a = 1; a < bytes.length; a += 3) {
        for (let b = a; b < bytes.length; b += 5) {
          expect(await eventData(bytes, [a, b]), `bom ${bom}, cuts ${a} ${b}`).toEqual(texts);
        }
      }
    }
  });

  it("gives the sent text when every chunk is one byte", async () => {
    const bytes = Buffer.from(stream, "utf8");
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(await eventData(bytes, cuts)).toEqual(texts);
  });

  it("keeps a U+FEFF that starts a later chunk (only the body's first may carry a byte-order mark)", async () => {
    const bytes = Buffer.from("data: x\n\ndata: \uFEFFé\n\n", "utf8");
    const at = bytes.indexOf(Buffer.from([0xef, 0xbb, 0xbf]));
    const end = at + 5; // after the mark and "é": the chunk ends on a non-ASCII byte
    expect(await eventData(bytes, [at, end])).toEqual(["x", "\uFEFFé"]);
    expect(await eventData(bytes, [at])).toEqual(["x", "\uFEFFé"]);
    // An empty chunk first: the body's first bytes are still the first chunk with bytes.
    expect(await eventData(bytes, [0, at, end])).toEqual(["x", "\uFEFFé"]);
    const marked = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("data: y\n\n")]);
    expect(await eventData(marked, [0, 2])).toEqual(["y"]);
  });
});
