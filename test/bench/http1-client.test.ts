import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Client, type ResponseHandler } from '../../src/bench/http1-client.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A server of raw bytes: `answer` gets each request's first line and writes
 * what it likes to the socket, so each test says exactly what goes on the wire.
 */
interface RawServer {
  readonly url: URL;
  /** Connections accepted so far, open now, and the most open at once. */
  readonly accepted: () => number;
  readonly open: () => number;
  readonly peak: () => number;
  /** The first line of each request read so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

let servers: RawServer[] = [];
let clients: Http1Client[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

async function rawServer(answer: (socket: net.Socket, requestLine: string, n: number) => void): Promise<RawServer> {
  let accepted = 0;
  let open = 0;
  let peak = 0;
  let n = 0;
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted++;
    peak = Math.max(peak, ++open);
    sockets.add(socket);
    socket.on('close', () => (open--, sockets.delete(socket)));
    // A client that aborts mid-answer closes with unread data, which resets the connection: what those tests do.
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      // One whole request at a time: head, then Content-Length bytes of body.
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const line = pending.slice(0, pending.indexOf('\r\n'));
        pending = pending.slice(end + 4 + length);
        requests.push(line);
        answer(socket, line, n++);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const s: RawServer = {
    url: new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`),
    accepted: () => accepted,
    open: () => open,
    peak: () => peak,
    requests,
    close: () => {
      for (const so of sockets) so.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
  servers.push(s);
  return s;
}

const ok = (body: string, headers = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`;

interface Got {
  status: number | null;
  body: string;
  error: string | null;
}

/** Sends one request; resolves with what its handler saw. */
function send(client: Http1Client, path = '/'): { done: Promise<Got>; abort: () => void } {
  const got: Got = { status: null, body: '', error: null };
  let exchange: { abort(): void } | null = null;
  const done = new Promise<Got>((resolve) => {
    const handler: ResponseHandler = {
      onHead: (h) => (got.status = h.status),
      onBody: (b) => (got.body += b.toString()),
      onComplete: () => resolve(got),
      onError: (e) => resolve({ ...got, error: `${e.code}: ${e.message}` }),
    };
    exchange = client.send(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`, handler);
  });
  return { done, abort: () => exchange!.abort() };
}

function client(url: URL, connections: number | null): Http1Client {
  const c = new Http1Client(url, connections);
  clients.push(c);
  return c;
}

describe('Http1Client', () => {
  it('sends one request after another on one kept-alive connection', async () => {
    const server = await rawServer((socket, line, n) => socket.write(ok(`${n} ${line}`)));
    const c = client(server.url, 4);
    for (let i = 0; i < 20; i++) expect(await send(c, `/r${i}`).done).toEqual({ status: 200, body: `${i} POST /r${i} HTTP/1.1`, error: null });
    expect(server.accepted()).toBe(1);
  });

  it('opens at most `connections` at once and queues the rest, in order', async () => {
    const server = await rawServer((socket, line) => setTimeout(() => socket.write(ok(line.split(' ')[1]!)), 20));
    const c = client(server.url, 3);
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) => send(c, `/${i}`).done));
    expect(got.map((g) => g.body)).toEqual(Array.from({ length: 10 }, (_, i) => `/${i}`));
    expect(server.peak()).toBe(3);
    expect(server.accepted()).toBe(3);
  });

  it('opens a new connection after Connection: close, or once the server says it drops idle ones', async () => {
    const closing = await rawServer((socket) => socket.end(ok('bye', 'Connection: close\r\n')));
    const c = client(closing.url, 1);
    for (let i = 0; i < 3; i++) expect((await send(c).done).body).toBe('bye');
    expect(closing.accepted()).toBe(3);
    // timeout=1 s, given up a second early: every idle connection is already too old to reuse.
    const brief = await rawServer((socket) => socket.write(ok('hi', 'Keep-Alive: timeout=1\r\n')));
    const d = client(brief.url, 1);
    for (let i = 0; i < 3; i++) expect((await send(d).done).body).toBe('hi');
    expect(brief.accepted()).toBe(3);
  });

  it('drops a connection the server closed while idle, and goes on with a new one', async () => {
    const server = await rawServer((socket) => (socket.write(ok('x')), setTimeout(() => socket.end(), 10)));
    const c = client(server.url, 1);
    expect((await send(c).done).body).toBe('x');
    // The server closes 10 ms after its answer; the connection is gone on both sides once the server's socket has closed.
    await waitFor(() => server.open() === 0, 'the idle connection closed');
    expect(await send(c).done).toEqual({ status: 200, body: 'x', error: null });
    expect(server.accepted()).toBe(2);
  });

  it('reads a body that runs to the close', async () => {
    const server = await rawServer((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"whole":true}'));
    expect(await send(client(server.url, 1)).done).toEqual({ status: 200, body: '{"whole":true}', error: null });
  });

  it('fails a request the server cuts short, answers with what is not HTTP, or a refused connection', async () => {
    const cut = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(await send(client(cut.url, 1)).done).toEqual({ status: 200, body: 'abc', error: 'ECONNRESET: the server closed the connection' });
    const ssh = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    expect((await send(client(ssh.url, 1)).done).error).toMatch(/^ERR_BAD_HTTP_RESPONSE: not an HTTP\/1\.x status line/);
    const gone = await rawServer(() => {});
    const url = gone.url;
    await gone.close();
    const refused = client(url, 2);
    const all = await Promise.all([send(refused).done, send(refused).done, send(refused).done]);
    expect(all.map((g) => g.error?.split(':')[0])).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('does not reuse a connection that sent more than the answer', async () => {
    const server = await rawServer((socket) => socket.write(`${ok('a')}HTTP/1.1 200 OK\r\n`));
    const c = client(server.url, 1);
    expect((await send(c).done).body).toBe('a');
    expect((await send(c).done).body).toBe('a');
    expect(server.accepted()).toBe(2);
  });

  it('aborts a request under way by closing its connection, and a queued one before it is sent', async () => {
    const server = await rawServer((socket, line) => {
      if (line.includes('/slow')) socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n');
      else socket.write(ok('fast'));
    });
    const c = client(server.url, 1);
    const slow = send(c, '/slow');
    const queued = send(c, '/queued');
    queued.abort();
    const after = send(c, '/after');
    const heard: string[] = [];
    void slow.done.then(() => heard.push('slow'));
    void queued.done.then(() => heard.push('queued'));
    // Under way: the server has it and has begun its answer.
    await waitFor(() => server.requests.length === 1, 'the slow request at the server');
    slow.abort();
    expect((await after.done).body).toBe('fast');
    // An aborted request hears nothing more: not by the time the request after it has its whole answer, nor a turn later.
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual([]);
    expect(server.requests).toEqual(['POST /slow HTTP/1.1', 'POST /after HTTP/1.1']);
    expect(server.accepted()).toBe(2);
  });

  it('fails what is under way and queued at close()', async () => {
    const server = await rawServer(() => {});
    const c = client(server.url, 1);
    const a = send(c);
    const b = send(c);
    // a under way (the server has it), b queued behind it.
    await waitFor(() => server.requests.length === 1, 'the first request at the server');
    c.close();
    expect((await a.done).error).toBe('ERR_CLIENT_CLOSED: the client is closed');
    expect((await b.done).error).toBe('ERR_CLIENT_CLOSED: the client is closed');
    expect((await send(c).done).error).toBe('ERR_CLIENT_CLOSED: the client is closed');
  });
});
