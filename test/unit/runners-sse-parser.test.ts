/**
 * The SSE parser against the HTML standard's event-stream cases (line ends CRLF / LF / CR, also
 * split between pieces; multi-line data; comments; fields without a value or a space; `id` with
 * NUL; events without data; an unfinished last event), and against eventsource-parser, which it
 * replaced, on random streams cut into random pieces: the same events.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { type SseMessage, SseParser } from "../../runners/sse-parser.ts";

function parse(pieces: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const parser = new SseParser((message) => out.push(message));
  for (const piece of pieces) parser.feed(piece);
  return out;
}

/** Every cut of `text` into two pieces, and into one piece per character. */
function cuts(text: string): string[][] {
  const all: string[][] = [[text], [...text]];
  for (let at = 1; at < text.length; at++) all.push([text.slice(0, at), text.slice(at)]);
  return all;
}

const event = (data: string, extra: Partial<SseMessage> = {}): SseMessage => ({
  id: undefined,
  event: undefined,
  data,
  ...extra,
});

describe("SseParser", () => {
  it("ends lines at LF, CRLF and CR, wherever the stream is cut", () => {
    for (const end of ["\n", "\r\n", "\r"]) {
      const text = `data: one${end}${end}data: two${end}data: more${end}${end}`;
      for (const pieces of cuts(text)) {
        expect(parse(pieces), JSON.stringify(pieces)).toEqual([event("one"), event("two\nmore")]);
      }
    }
  });

  it("mixes line ends in one stream, CRLF split between pieces included", () => {
    const text = "data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r";
    for (const pieces of cuts(text)) {
      expect(parse(pieces), JSON.stringify(pieces)).toEqual([event("a\nb\nc"), event("d")]);
    }
  });

  it("dispatches a CR-ended event as its blank line arrives, not one piece later", () => {
    const out: SseMessage[] = [];
    const parser = new SseParser((message) => out.push(message));
    parser.feed("data: x\r\r");
    expect(out).toEqual([event("x")]);
    parser.feed("\ndata: y\n\n"); // the LF after a CR ends no line of its own
    expect(out).toEqual([event("x"), event("y")]);
  });

  it("skips comments, retry and unknown fields; keeps event and id; drops the space after the colon once", () => {
    const text =
      ": a comment\nretry: 1000\nfoo: bar\nevent: ping\nid: 7\ndata:  two spaces\ndata:none\ndata\ndata:\n\n";
    for (const pieces of cuts(text)) {
      expect(parse(pieces), JSON.stringify(pieces)).toEqual([
        event(" two spaces\nnone\n\n", { event: "ping", id: "7" }),
      ]);
    }
  });

  it("gives an event's id and type to that event only, ignores an id with NUL, and skips events without data", () => {
    expect(parse(["event: a\nid: 1\n\ndata: x\n\nid: 2\0\ndata: y\n\nevent\ndata: z\n\n"])).toEqual([
      event("x"),
      event("y"),
      event("z"),
    ]);
  });

  it("keeps an unfinished last event back (no blank line), and a line until its end arrives", () => {
    const out: SseMessage[] = [];
    const parser = new SseParser((message) => out.push(message));
    parser.feed('data: {"long');
    parser.feed('er":1}');
    expect(out).toEqual([]);
    parser.feed("\n");
    expect(out).toEqual([]);
    parser.feed("\ndata: cut");
    expect(out).toEqual([event('{"longer":1}')]);
  });

  it("gives the events eventsource-parser gives, for random streams cut at random", () => {
    const atoms = [
      "data: ",
      "data:",
      "data",
      "event: e",
      "id: 1",
      ": c",
      "retry: 5",
      "x: y",
      "{",
      "é",
      "a b",
      ":",
    ];
    const ends = ["\n", "\r\n", "\r"];
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    for (let round = 0; round < 3_000; round++) {
      let text = "";
      const lines = Math.floor(random() * 10);
      for (let i = 0; i < lines; i++) {
        text += random() < 0.25 ? "" : pick(atoms) + (random() < 0.5 ? pick(atoms) : "");
        text += pick(ends);
      }
      // One LF more, so that eventsource-parser (which waits to see whether an LF follows a CR that
      // ends a piece) has ended every line the stream ended.
      text += "\n";
      const pieces: string[] = [];
      for (let from = 0; from < text.length; ) {
        const length = 1 + Math.floor(random() * 8);
        pieces.push(text.slice(from, from + length));
        from += length;
      }
      const expected: EventSourceMessage[] = [];
      const reference = createParser({ onEvent: (message) => expected.push(message) });
      for (const piece of pieces) reference.feed(piece);
      expect(parse(pieces), JSON.stringify(pieces)).toEqual(expected);
    }
  });
});
