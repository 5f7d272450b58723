import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertEvaluator, type AlertLimits } from '../model/alerts.js';
import type { GpuProcess, Snapshot } from '../model/types.js';
import type { SnapshotSource } from '../sampler/source.js';
import { renderJson, snapshotJson } from '../views/json.js';
import { SnapshotMetrics } from './metrics.js';

/**
 * `gpumon serve`: an HTTP view over one SnapshotSource. Every client reads
 * the same newest snapshot, turned into text once per snapshot, so fifty
 * scrapers cost one nvidia-smi stream, not fifty. Nothing here spawns.
 */

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly version: string;
  /** Show process users and command lines in /metrics and the API. */
  readonly exposeProcesses: boolean;
  readonly alertLimits: AlertLimits;
  /** A stream client with more than this many bytes not yet sent is dropped (it is not reading). */
  readonly maxClientBufferBytes?: number;
  /** A socket with no traffic for this long is closed. */
  readonly idleTimeoutMs?: number;
  /** Stream clients get a comment this often, so idle-socket timeouts along the way do not cut them. */
  readonly keepAliveMs?: number;
}

export interface GpumonServer {
  readonly url: string;
  /** Stream clients connected now. */
  readonly streamClients: () => number;
  close(): Promise<void>;
}

/** The address is taken (or cannot be bound): the CLI turns this into its message. */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The snapshot without process users and command lines: what a server shows unless told otherwise. */
export function withoutProcessDetails(s: Snapshot): Snapshot {
  const hide = (p: GpuProcess): GpuProcess => ({ ...p, user: null, argv: null, unknown: { ...p.unknown, user: 'not_exposed', argv: 'not_exposed' } });
  return { ...s, processes: s.processes.map(hide) };
}

const ALLOW = 'GET, HEAD';

/** The newest snapshot as shown, and its documents, each made on first use. */
interface Served {
  readonly snapshot: Snapshot;
  json?: string;
  event?: string;
}

export async function startServer(source: SnapshotSource, first: Snapshot, o: ServeOptions): Promise<GpumonServer> {
  const maxBuffer = o.maxClientBufferBytes ?? 1024 * 1024;
  const metrics = new SnapshotMetrics({ version: o.version, exposeProcesses: o.exposeProcesses });
  const evaluator = new AlertEvaluator(o.alertLimits);
  const streams = new Set<ServerResponse>();
  const shown = (s: Snapshot) => (o.exposeProcesses ? s : withoutProcessDetails(s));

  let current: Served;
  const take = (s: Snapshot) => {
    const snapshot = shown(s);
    metrics.update(snapshot, evaluator.feed(snapshot));
    current = { snapshot };
  };
  take(first);
  const json = () => (current.json ??= renderJson(current.snapshot, o.version));
  const event = () => (current.event ??= `event: snapshot\ndata: ${JSON.stringify(snapshotJson(current.snapshot, o.version))}\n\n`);

  /** Writes to a stream client, or drops it when it has stopped reading. */
  const send = (res: ServerResponse, chunk: string) => {
    if (res.writableLength > maxBuffer) {
      streams.delete(res);
      res.destroy();
      return;
    }
    res.write(chunk);
  };
  const unsubscribe = source.subscribe((s) => {
    take(s);
    if (streams.size === 0) return;
    const chunk = event();
    for (const res of [...streams]) send(res, chunk);
  });
  const keepAlive = setInterval(() => {
    for (const res of [...streams]) send(res, ': keep-alive\n\n');
  }, o.keepAliveMs ?? 15_000);
  keepAlive.unref();

  const text = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> = {
    '/metrics': async (_req, res) => {
      const body = await metrics.metrics();
      res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
      res.end(body);
    },
    '/api/snapshot': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(json());
    },
    '/api/stream': (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      if (req.method === 'HEAD') return void res.end();
      streams.add(res);
      res.on('close', () => streams.delete(res));
      send(res, event());
    },
    '/healthz': (_req, res) => {
      const { stale, time } = current.snapshot;
      const body = { status: stale ? 'stale' : 'ok', snapshot_time: new Date(time).toISOString(), ...(stale ? { stale_since: new Date(stale.since).toISOString(), reason: stale.reason } : {}) };
      res.writeHead(stale ? 503 : 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    },
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://gpumon').pathname;
    const route = routes[path];
    if (!route) return text(res, 404, `Not found: ${path}\nThis gpumon serves ${Object.keys(routes).join(', ')}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, `Method ${req.method} not allowed on ${path}: use ${ALLOW}\n`, { Allow: ALLOW });
    Promise.resolve(route(req, res)).catch((e: unknown) => {
      if (!res.headersSent) text(res, 500, `gpumon: ${e instanceof Error ? e.message : String(e)}\n`);
      else res.destroy();
    });
  });
  // Slow or vanished clients: bounded time to send a request, and idle sockets are closed.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.setTimeout(o.idleTimeoutMs ?? 60_000);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      clearInterval(keepAlive);
      unsubscribe();
      const where = `${o.host}:${o.port}`;
      const why =
        e.code === 'EADDRINUSE' ? `${where} is already in use (another gpumon serve? pick another with --port)`
        : e.code === 'EACCES' ? `no permission to listen on ${where} (ports below 1024 need root)`
        : e.code === 'EADDRNOTAVAIL' ? `${o.host} is not an address of this machine`
        : `cannot listen on ${where}: ${e.message}`;
      reject(new ListenError(e.code ?? 'unknown', why));
    });
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;

  return {
    url: `http://${host}:${port}`,
    streamClients: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepAlive);
        unsubscribe();
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
