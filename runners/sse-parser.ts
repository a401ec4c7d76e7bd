/**
 * Server-sent events from text, as the HTML standard's event-stream interpretation reads them:
 * lines end in CRLF, LF or CR (a CR at the end of one piece of text and an LF at the start of the
 * next are one line end); `data` lines are joined with "\n"; an empty line dispatches the event,
 * when it has data; comment lines (`:`) and unknown fields are skipped; an `id` holding NUL is
 * ignored; a space after the colon is dropped. One pass over each piece of text, with no closure
 * or buffer per stream: the hot path of every streamed call (eventsource-parser, which this
 * replaced, gave the same events at about twice the CPU; see BENCHMARKS.md).
 *
 * As eventsource-parser did, an event's `id` and `event` are its own (cleared after each
 * dispatch), `retry` is ignored, and a byte-order mark is the decoder's business (sse.ts).
 */

/** One event: its data (data lines joined by "\n"), its `event` type and `id` when it had them. */
export interface SseMessage {
  id?: string | undefined;
  event?: string | undefined;
  data: string;
}

const LF = 10;
const SPACE = 32;
const COLON = 58;

/** Parses one stream's text, piece by piece; each complete event goes to `onEvent` during `feed`. */
export class SseParser {
  /** The start of a line whose end has not arrived yet. */
  private pending = "";
  /** The last piece ended on CR: an LF starting the next one ends no further line. */
  private afterCr = false;
  private data = "";
  private dataLines = 0;
  private event: string | undefined;
  private id: string | undefined;
  private readonly onEvent: (message: SseMessage) => void;

  constructor(onEvent: (message: SseMessage) => void) {
    this.onEvent = onEvent;
  }

  /** Parses the next piece of the stream's text. */
  feed(text: string): void {
    let pos = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    let input = text;
    if (this.pending !== "") {
      if (text.indexOf("\n") === -1 && text.indexOf("\r") === -1) {
        this.pending += text; // still no line end: scanned once when one comes
        return;
      }
      input = this.pending + text;
      this.pending = "";
    }
    // A CR is rare: without one, the loop below looks for LFs only.
    let cr = input.indexOf("\r", pos);
    let lf = input.indexOf("\n", pos);
    for (;;) {
      if (cr !== -1 && cr < pos) cr = input.indexOf("\r", pos);
      if (lf !== -1 && lf < pos) lf = input.indexOf("\n", pos);
      const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf;
      if (end === -1) break;
      this.line(input, pos, end);
      pos = end + 1;
      if (end === cr) {
        if (pos === input.length) this.afterCr = true;
        else if (input.charCodeAt(pos) === LF) pos++;
      }
    }
    if (pos < input.length) this.pending = input.slice(pos);
  }

  /** One line, `input` from `start` to `end` (its line end excluded). */
  private line(input: string, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    const first = input.charCodeAt(start);
    if (first === COLON) return; // a comment
    // The commonest line, `data:…`, without looking for its colon.
    if (
      first === 100 /* d */ &&
      input.charCodeAt(start + 1) === 97 /* a */ &&
      input.charCodeAt(start + 2) === 116 /* t */ &&
      input.charCodeAt(start + 3) === 97 /* a */ &&
      input.charCodeAt(start + 4) === COLON
    ) {
      this.addData(input.slice(input.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end));
      return;
    }
    const colon = input.indexOf(":", start);
    const nameEnd = colon === -1 || colon > end ? end : colon;
    let valueStart = nameEnd === end ? end : nameEnd + 1;
    if (valueStart < end && input.charCodeAt(valueStart) === SPACE) valueStart++;
    const value = input.slice(valueStart, end);
    switch (input.slice(start, nameEnd)) {
      case "data":
        this.addData(value);
        break;
      case "event":
        this.event = value === "" ? undefined : value;
        break;
      case "id":
        if (!value.includes("\0")) this.id = value;
        break;
      default: // `retry` and unknown fields: nothing to do here
    }
  }

  private addData(value: string): void {
    this.data = this.dataLines === 0 ? value : `${this.data}\n${value}`;
    this.dataLines++;
  }

  private dispatch(): void {
    if (this.dataLines > 0) this.onEvent({ id: this.id, event: this.event, data: this.data });
    this.id = undefined;
    this.event = undefined;
    this.data = "";
    this.dataLines = 0;
  }
}
