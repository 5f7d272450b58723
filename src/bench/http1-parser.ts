/**
 * An incremental HTTP/1.1 response parser, for the load client: one response
 * after another on a connection, bytes split anywhere. It frames the body
 * (Content-Length, chunked, or until the connection closes), skips 1xx
 * heads, and says what the client needs from the head; everything else in
 * it is ignored. Pure: bytes in, events out.
 */

/** What a response head says, as far as the load client cares. */
export interface ResponseHead {
  readonly status: number;
  /** '' when the server sent none. */
  readonly contentType: string;
  /** The server closes the connection after this response (Connection: close, or HTTP/1.0 without keep-alive). */
  readonly close: boolean;
  /** How long the server keeps an idle connection open (ms), from `Keep-Alive: timeout=N`; null when it does not say. */
  readonly keepAliveMs: number | null;
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void;
  /** Body bytes, de-chunked: a view of what was read. */
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

/** A response that is not HTTP/1.x as the standard frames it. */
export class ProtocolError extends Error {
  readonly code = 'ERR_BAD_HTTP_RESPONSE';
}

/** Longer heads or chunk-size lines than this are not a server we can talk to. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

interface Framing {
  readonly head: ResponseHead;
  readonly chunked: boolean;
  readonly length: number | null;
}

function parseHead(text: string): Framing {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0]!);
  if (!m) throw new ProtocolError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 60))}`);
  let contentType = '';
  let length: number | null = null;
  let chunked = false;
  let connection = '';
  let keepAliveMs: number | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(`a header line without a name: ${JSON.stringify(line.slice(0, 60))}`);
    // Only these lengths can be a header read below: the others (Date, Server, ...) are not worth lowercasing.
    if (colon !== 10 && colon !== 12 && colon !== 14 && colon !== 17) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'content-type') contentType = line.slice(colon + 1).trim();
    else if (name === 'content-length') {
      const value = line.slice(colon + 1).trim();
      if (!/^\d+$/.test(value) || (length !== null && length !== Number(value))) throw new ProtocolError(`a bad Content-Length: ${JSON.stringify(value)}`);
      length = Number(value);
    } else if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(line.slice(colon + 1));
    else if (name === 'connection') connection += line.slice(colon + 1).toLowerCase();
    else if (name === 'keep-alive') {
      const t = /timeout=(\d+)/i.exec(line);
      if (t) keepAliveMs = Number(t[1]) * 1000;
    }
  }
  const http10 = m[1] === '0';
  const close = connection.includes('close') || (http10 && !connection.includes('keep-alive'));
  return { head: { status: Number(m[2]), contentType, close, keepAliveMs }, chunked, length };
}

export class ResponseParser {
  private state = State.Head;
  /** Bytes of an unfinished head, chunk-size line or chunk end, kept for the next read. */
  private pending: Buffer | null = null;
  /** Body or chunk bytes still to come. */
  private remaining = 0;

  constructor(private readonly events: ResponseEvents) {}

  /** Ready for the next response on the connection. */
  reset(): void {
    this.state = State.Head;
    this.pending = null;
  }

  /** Nothing of a response has come yet (a connection that closes now closed while idle). */
  get idle(): boolean {
    return this.state === State.Head && this.pending === null;
  }

  /**
   * Feeds bytes read from the connection. Stops at the end of a response and
   * returns how many bytes came after it (0 for a client that sends one
   * request at a time and a server that answers it once); throws
   * ProtocolError on a malformed response.
   */
  execute(data: Buffer): number {
    const buf = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = null;
    let at = 0;
    while (at < buf.length) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf(HEAD_END, at);
          if (end === -1) return this.keep(buf, at, 'head');
          const { head, chunked, length } = parseHead(buf.toString('latin1', at, end));
          at = end + HEAD_END.length;
          if (head.status < 200) continue; // 100 Continue, 103 Early Hints: the real head follows
          this.events.onHead(head);
          if (head.status === 204 || head.status === 304) this.end();
          else if (chunked) this.state = State.ChunkSize;
          else if (length !== null) {
            this.remaining = length;
            if (length === 0) this.end();
            else this.state = State.Body;
          } else this.state = State.UntilClose;
          break;
        }
        case State.Body:
        case State.ChunkData: {
          const n = Math.min(this.remaining, buf.length - at);
          this.events.onBody(buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            if (this.state === State.Body) this.end();
            else this.state = State.ChunkEnd;
          }
          break;
        }
        case State.ChunkSize: {
          const nl = buf.indexOf(CRLF, at);
          if (nl === -1) return this.keep(buf, at, 'chunk size');
          const line = buf.toString('latin1', at, nl);
          const hex = /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/.exec(line);
          if (!hex) throw new ProtocolError(`a bad chunk size: ${JSON.stringify(line.slice(0, 40))}`);
          at = nl + CRLF.length;
          this.remaining = parseInt(hex[1]!, 16);
          this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkEnd: {
          if (buf.length - at < CRLF.length) return this.keep(buf, at, 'chunk end');
          if (buf[at] !== 13 || buf[at + 1] !== 10) throw new ProtocolError('a chunk that does not end where its size says');
          at += CRLF.length;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const nl = buf.indexOf(CRLF, at);
          if (nl === -1) return this.keep(buf, at, 'trailers');
          const blank = nl === at;
          at = nl + CRLF.length;
          if (blank) this.end();
          break;
        }
        case State.UntilClose:
          this.events.onBody(buf.subarray(at));
          at = buf.length;
          break;
        case State.Done:
          return buf.length - at;
      }
    }
    return 0;
  }

  /**
   * The connection closed. A body that runs until the close ends here (true);
   * otherwise true only if no response was under way.
   */
  close(): boolean {
    if (this.state === State.UntilClose) {
      this.end();
      return true;
    }
    return this.state === State.Done || this.idle;
  }

  private end(): void {
    this.state = State.Done;
    this.events.onEnd();
  }

  private keep(buf: Buffer, at: number, what: string): number {
    if (buf.length - at > MAX_HEAD_BYTES) throw new ProtocolError(`the ${what} is longer than ${MAX_HEAD_BYTES / 1024} KiB`);
    this.pending = Buffer.from(buf.subarray(at));
    return 0;
  }
}
