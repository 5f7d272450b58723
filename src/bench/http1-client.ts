import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { ProtocolError, type ResponseEvents, type ResponseHead, ResponseParser } from './http1-parser.js';

/**
 * The load generator's HTTP/1.1 client: keep-alive connections to one
 * origin, at most `connections` of them, one request at a time on each (no
 * pipelining, as vLLM's benchmark and autocannon send), requests queued for
 * a free connection beyond that.
 *
 * Its own rather than undici's: a request here is one prepared string written
 * to a socket and a small parser reading the answer, where undici validates
 * and builds each request anew and runs the parser through callbacks out of
 * WebAssembly. On short requests that was most of what the client cost per
 * request (docs/design/bench-http-client.md, `npm run bench -- http`), and a load generator that costs
 * more per request than the server under test measures itself.
 */

/** What a request's reader gets from the client: the final head, body bytes, the end, or why it failed. */
export interface ResponseHandler {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  onComplete(): void;
  /** The connection failed (refused, reset, closed early) or the answer was not HTTP; `code` says which. */
  onError(e: Error & { code?: string }): void;
}

/** One request, from when it is given to the client until it ends; `abort()` closes its connection if it is under way. */
export class Exchange {
  connection: Connection | null = null;
  settled = false;

  constructor(
    readonly request: string,
    readonly handler: ResponseHandler,
  ) {}

  abort(): void {
    if (this.settle()) this.connection?.destroy();
  }

  /** The answer is whole: its reader hears so, once, unless it gave up on it. */
  complete(): void {
    if (this.settle()) this.handler.onComplete();
  }

  fail(e: Error & { code?: string }): void {
    if (this.settle()) this.handler.onError(e);
  }

  /** True the first time: an exchange ends once, however it ends. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}

const closedEarly = () => Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' });
const clientClosed = () => Object.assign(new Error('the client is closed'), { code: 'ERR_CLIENT_CLOSED' });

/** Keep-alive connections the server says it closes after a while are given up this much earlier, not to race its close. */
const KEEP_ALIVE_MARGIN_MS = 1000;

class Connection implements ResponseEvents {
  private readonly socket: net.Socket;
  private readonly parser = new ResponseParser(this);
  private exchange: Exchange | null = null;
  private head: ResponseHead | null = null;
  /** The parser saw the end of the response; the exchange is finished once the read that carried it is. */
  private complete = false;
  /** performance.now() after which the server may have closed it while idle. */
  reusableUntil = Infinity;
  dead = false;

  constructor(
    private readonly client: Http1Client,
    url: URL,
  ) {
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    this.socket =
      url.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.read(d));
    this.socket.on('end', () => this.ended());
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(closedEarly()));
  }

  send(exchange: Exchange): void {
    this.exchange = exchange;
    exchange.connection = this;
    this.head = null;
    this.complete = false;
    this.parser.reset();
    // Written before the connection is up, it waits in the socket.
    this.socket.write(exchange.request);
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    this.exchange = null;
    this.socket.destroy();
    this.client.forget(this);
  }

  onHead(head: ResponseHead): void {
    this.head = head;
    if (!this.exchange?.settled) this.exchange?.handler.onHead(head);
  }

  onBody(chunk: Buffer): void {
    if (!this.exchange?.settled) this.exchange?.handler.onBody(chunk);
  }

  onEnd(): void {
    this.complete = true;
  }

  private read(data: Buffer): void {
    if (!this.exchange) return this.destroy(); // bytes nobody asked for: not a connection to reuse
    let extra: number;
    try {
      extra = this.parser.execute(data);
    } catch (e) {
      return this.fail(e as ProtocolError);
    }
    // The reader may have given up on the answer while reading it (an error event in a stream): then nothing is left to finish.
    if (this.dead) return;
    // More after the end of the answer is a server we do not understand: the answer stands, the connection goes.
    if (this.complete) this.finish(extra > 0);
  }

  /** The server closed its side: a body that runs until the close is complete; anything else under way failed. */
  private ended(): void {
    if (this.exchange && this.parser.close() && this.complete) return this.finish(true);
    this.fail(closedEarly());
  }

  private finish(discard: boolean): void {
    const exchange = this.exchange!;
    const head = this.head!;
    this.exchange = null;
    this.complete = false;
    if (discard || head.close) this.destroy();
    else if (head.keepAliveMs !== null) this.reusableUntil = performance.now() + head.keepAliveMs - KEEP_ALIVE_MARGIN_MS;
    exchange.complete();
    if (!this.dead) this.client.release(this);
  }

  fail(e: Error & { code?: string }): void {
    const exchange = this.exchange;
    this.destroy();
    exchange?.fail(e);
  }
}

export class Http1Client {
  private readonly all = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly queue: Exchange[] = [];
  private queueHead = 0;
  private closed = false;

  /** `connections`: at most this many to one origin; null: as many as requests in flight. */
  constructor(
    private readonly origin: URL,
    private readonly connections: number | null,
  ) {}

  /** Sends `request` (a whole HTTP/1.1 request, head and body) when a connection is free. */
  send(request: string, handler: ResponseHandler): Exchange {
    const exchange = new Exchange(request, handler);
    if (this.closed) {
      exchange.fail(clientClosed());
      return exchange;
    }
    const connection = this.takeIdle() ?? (this.connections === null || this.all.size < this.connections ? this.connect() : null);
    if (connection) connection.send(exchange);
    else this.queue.push(exchange);
    return exchange;
  }

  /** Closes every connection; requests still under way or queued fail. */
  close(): void {
    this.closed = true;
    for (const c of [...this.all]) c.fail(clientClosed());
    for (const e of this.queue.splice(0)) e.fail(clientClosed());
  }

  /** A connection between requests: the next queued one goes out on it, or it waits. */
  release(c: Connection): void {
    const next = this.dequeue();
    if (next) c.send(next);
    else this.idle.push(c);
  }

  /** A connection closed: its place goes to the next queued request. */
  forget(c: Connection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i !== -1) this.idle.splice(i, 1);
    if (this.closed) return;
    const next = this.dequeue();
    if (next) this.connect().send(next);
  }

  private connect(): Connection {
    const c = new Connection(this, this.origin);
    this.all.add(c);
    return c;
  }

  private takeIdle(): Connection | null {
    const now = performance.now();
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (now < c.reusableUntil) return c;
      c.destroy();
    }
    return null;
  }

  private dequeue(): Exchange | null {
    while (this.queueHead < this.queue.length) {
      const e = this.queue[this.queueHead++]!;
      if (this.queueHead === this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
      }
      if (!e.settled) return e;
    }
    return null;
  }
}
