import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

/**
 * A small OpenAI-compatible server for tests, on an ephemeral 127.0.0.1 port.
 * Each POST is answered by a script: writes, waits, and ways to end
 * (cleanly, by destroying the socket, or never: `hang` holds the answer
 * open until the client closes it), so tests control every byte and every
 * delay. It notes when it wrote each `write` (on performance.now()'s clock,
 * the one the client times with). GET /v1/models lists `model`. With `https`, it serves TLS
 * with the test certificate.
 */
export type Step = { readonly write: string } | { readonly wait: number } | { readonly destroy: true } | { readonly hang: true };

export interface Reply {
  readonly status?: number;
  readonly contentType?: string;
  readonly steps: readonly Step[];
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  /** When each of the answer's `write` steps was written, so far (performance.now()). */
  readonly writtenAt: number[];
}

export interface TestServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost (test/helpers/tls), for HTTPS servers that a client trusts through NODE_EXTRA_CA_CERTS. */
export const TEST_CERT = join(dirname(fileURLToPath(import.meta.url)), 'tls', 'cert.pem');
const TEST_KEY = join(dirname(fileURLToPath(import.meta.url)), 'tls', 'key.pem');

export async function startOpenAiServer(reply: (r: ReceivedRequest, index: number) => Reply, model = 'test-model', opts: { https?: boolean } = {}): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const handler: http.RequestListener = (req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model' }] }));
    }
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (t: string) => (text += t));
    req.on('end', async () => {
      const r: ReceivedRequest = { path: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, writtenAt: [] };
      requests.push(r);
      const script = reply(r, requests.length - 1);
      res.writeHead(script.status ?? 200, { 'content-type': script.contentType ?? 'text/event-stream' });
      res.flushHeaders();
      for (const step of script.steps) {
        if ('wait' in step) await new Promise((ok) => setTimeout(ok, step.wait));
        else if ('write' in step) {
          res.write(step.write);
          r.writtenAt.push(performance.now());
        } else if ('hang' in step) return void (await new Promise((ok) => res.on('close', ok)));
        else return res.socket?.destroy();
        if (res.destroyed) return;
      }
      res.end();
    });
  };
  const server = opts.https ? https.createServer({ key: readFileSync(TEST_KEY), cert: readFileSync(TEST_CERT) }, handler) : http.createServer(handler);
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `${opts.https ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** One SSE event. */
export const event = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
export const textChunk = (text: string) => event({ choices: [{ index: 0, text, finish_reason: null }] });
export const usageChunk = (prompt: number, completion: number) => event({ choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } });
export const DONE = event('[DONE]');

/** A normal stream: `tokens` text chunks, the first after `ttftMs`, then one every `itlMs`, usage, [DONE]. */
export function tokenStream(o: { readonly ttftMs: number; readonly itlMs: number; readonly tokens: number; readonly usage?: boolean }): Step[] {
  const steps: Step[] = [{ wait: o.ttftMs }];
  for (let i = 0; i < o.tokens; i++) {
    if (i > 0) steps.push({ wait: o.itlMs });
    steps.push({ write: textChunk(` t${i}`) });
  }
  if (o.usage !== false) steps.push({ write: usageChunk(10, o.tokens) });
  steps.push({ write: DONE });
  return steps;
}
