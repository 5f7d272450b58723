/**
 * An incremental Server-Sent Events parser (the WHATWG rules, the parts an
 * OpenAI-compatible stream uses): events may be split across reads at any
 * byte, lines end in LF, CRLF or CR, `data:` may or may not have a space
 * after it, `:` lines are comments (pings), other fields are ignored, and an
 * event is dispatched at the blank line that ends it.
 */
export class SseParser {
  private pending = '';
  private data: string[] = [];

  /** Feeds decoded text; returns the data of every event it completed. */
  push(text: string): string[] {
    this.pending += text;
    const events: string[] = [];
    let start = 0;
    for (;;) {
      const lf = this.pending.indexOf('\n', start);
      const cr = this.pending.indexOf('\r', start);
      let end = lf;
      if (cr !== -1 && (lf === -1 || cr < lf)) end = cr;
      if (end === -1) break;
      // A CR at the very end may be the first half of a CRLF: wait for the next read.
      if (end === cr && cr === this.pending.length - 1) break;
      this.line(this.pending.slice(start, end), events);
      start = end + (end === cr && this.pending[cr + 1] === '\n' ? 2 : 1);
    }
    this.pending = this.pending.slice(start);
    return events;
  }

  /** The stream ended: a last event without its blank line still counts. */
  end(): string[] {
    const events: string[] = [];
    if (this.pending) this.line(this.pending.replace(/\r$/, ''), events);
    this.pending = '';
    this.line('', events);
    return events;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length) events.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const value = colon === -1 ? '' : line.slice(colon + 1);
    this.data.push(value.startsWith(' ') ? value.slice(1) : value);
  }
}
