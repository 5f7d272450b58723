import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type FleetHost, fleetAsSnapshot, type FleetSnapshot, type HostDown } from '../model/fleet.js';
import type { Snapshot } from '../model/types.js';
import { parseSnapshotJson } from './remote-json.js';
import { PolledSource } from './source.js';

/**
 * Snapshots from other gpumon servers (`gpumon serve`), for `--remote`:
 * `/api/snapshot` once per host for `--once`, `/api/stream` per host for the
 * monitor. Every host has its own timeout and its own reconnect with
 * backoff; one that is down or slow is marked down and never holds up the
 * others.
 */

/** Bigger than any snapshot of a real machine: a server sending more is not a gpumon. */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

/** `node1:9400` -> `http://node1:9400`; no trailing slash. */
export function normalizeServerUrl(text: string): string | null {
  const t = text.trim().replace(/\/+$/, '');
  const withScheme = /^[a-z]+:\/\//i.test(t) ? t : `http://${t}`;
  try {
    const u = new URL(withScheme);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return null;
    return withScheme;
  } catch {
    return null;
  }
}

function get(url: string, onResponse: (res: IncomingMessage) => void): ClientRequest {
  const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, { headers: { Accept: 'application/json, text/event-stream' } }, onResponse);
  req.end();
  return req;
}

/** Why a request failed, in a few words. */
export function describeFailure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is gpumon serve running there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.message || String(e);
  }
}

/** One `/api/snapshot`, within `timeoutMs` from start to end. */
export function fetchSnapshot(url: string, timeoutMs: number): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      req.destroy();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs / 1000} s`), timeoutMs);
    const req = get(`${url}/api/snapshot`, (res) => {
      if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode} from ${url}/api/snapshot (not a gpumon server?)`);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DOCUMENT_BYTES) fail('the snapshot is too large');
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        try {
          resolve(parseSnapshotJson(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', (e) => fail(describeFailure(e)));
    });
    req.on('error', (e) => fail(describeFailure(e)));
  });
}

/** Every host once, at the same time (`--once --remote`): each answers within `timeoutMs` or is down. */
export async function readFleet(urls: readonly string[], timeoutMs: number, clock: () => number = Date.now): Promise<FleetSnapshot> {
  const started = clock();
  const hosts = await Promise.all(
    urls.map(async (url): Promise<FleetHost> => {
      try {
        return { url, snapshot: await fetchSnapshot(url, timeoutMs), down: null };
      } catch (e) {
        return { url, snapshot: null, down: { reason: (e as Error).message, since: started } };
      }
    }),
  );
  return { time: clock(), hosts };
}

export interface StreamOptions {
  /** A host that sends nothing (not even a keep-alive) for this long is down. */
  readonly timeoutMs: number;
  /** First wait before reconnecting; doubled on each failure up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly clock?: () => number;
}

/** One host's `/api/stream`: up with each snapshot, down on an error or silence, reconnecting with backoff. */
class HostStream {
  state: FleetHost;
  private req: ClientRequest | null = null;
  private lastDataAt = 0;
  private backoffMs: number;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    url: string,
    private readonly o: Required<StreamOptions>,
    private readonly changed: () => void,
  ) {
    this.state = { url, snapshot: null, down: null };
    this.backoffMs = o.backoffMs;
  }

  connect(): void {
    if (this.stopped) return;
    this.lastDataAt = this.o.clock();
    let buffer = '';
    // Events of a request given up on (late errors after destroy) must not touch the next one.
    const fail = (why: string) => req === this.req && this.fail(why);
    const req: ClientRequest = get(`${this.state.url}/api/stream`, (res) => {
      if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode} from ${this.state.url}/api/stream (not a gpumon server?)`);
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        if (req !== this.req) return;
        this.lastDataAt = this.o.clock();
        buffer += text;
        if (buffer.length > MAX_DOCUMENT_BYTES) return fail('an event is too large');
        let end: number;
        while (req === this.req && (end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.onEvent(block);
        }
      });
      res.on('end', () => fail('the server closed the stream'));
      res.on('error', (e) => fail(describeFailure(e)));
    });
    req.on('error', (e) => fail(describeFailure(e)));
    this.req = req;
  }

  private onEvent(block: string): void {
    const lines = block.split('\n');
    const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
    if (data.length === 0) return; // a comment (keep-alive)
    try {
      const snapshot = parseSnapshotJson(data.join('\n'));
      this.state = { url: this.state.url, snapshot, down: null };
      this.backoffMs = this.o.backoffMs;
      this.changed();
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  /** Called often: a host silent for longer than the timeout is down. */
  check(): void {
    if (this.req && this.o.clock() - this.lastDataAt >= this.o.timeoutMs) this.fail(`no data for ${this.o.timeoutMs / 1000} s`);
  }

  private fail(reason: string): void {
    if (this.stopped || !this.req) return;
    this.req.destroy();
    this.req = null;
    const down: HostDown = { reason, since: this.state.down?.since ?? this.o.clock() };
    this.state = { ...this.state, down };
    this.changed();
    this.retry = setTimeout(() => this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.o.maxBackoffMs, this.backoffMs * 2);
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.req?.destroy();
    this.req = null;
  }
}

/** The fleet over time: a FleetSnapshot on every change of any host. */
export class FleetSource {
  private readonly hosts: HostStream[];
  private readonly listeners = new Set<(f: FleetSnapshot) => void>();
  private watchdog: NodeJS.Timeout | null = null;
  private last: FleetSnapshot;
  private readonly clock: () => number;

  constructor(
    urls: readonly string[],
    private readonly o: StreamOptions,
  ) {
    this.clock = o.clock ?? Date.now;
    const full = { backoffMs: 250, maxBackoffMs: 5000, clock: this.clock, ...o };
    this.hosts = urls.map((u) => new HostStream(u, full, () => this.emit()));
    this.last = this.fleet();
  }

  private fleet(): FleetSnapshot {
    return { time: this.clock(), hosts: this.hosts.map((h) => h.state) };
  }

  private emit(): void {
    this.last = this.fleet();
    for (const l of [...this.listeners]) l(this.last);
  }

  /** Connects to every host; resolves once each has sent a snapshot or failed (or, at the latest, is down for silence). */
  start(): Promise<FleetSnapshot> {
    for (const h of this.hosts) h.connect();
    this.watchdog = setInterval(() => {
      for (const h of this.hosts) h.check();
    }, Math.max(50, Math.min(1000, this.o.timeoutMs / 4)));
    this.watchdog.unref();
    return new Promise((resolve) => {
      const settled = () => this.hosts.every((h) => h.state.snapshot !== null || h.state.down !== null);
      const done = () => {
        for (const h of this.hosts) h.check();
        unsubscribe();
        clearTimeout(timer);
        resolve(this.last);
      };
      const unsubscribe = this.subscribe(() => settled() && done());
      const timer = setTimeout(done, this.o.timeoutMs);
    });
  }

  subscribe(listener: (f: FleetSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  latest(): FleetSnapshot {
    return this.last;
  }

  stop(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    for (const h of this.hosts) h.stop();
  }
}

/**
 * The fleet as a SnapshotSource (fleetAsSnapshot), for the monitor: one
 * merged snapshot per interval, however many hosts send theirs, so sixteen
 * hosts do not mean sixteen redraws a second.
 */
export class FleetSnapshotSource extends PolledSource {
  constructor(
    readonly fleet: FleetSource,
    intervalMs: number,
    private readonly merge: (f: FleetSnapshot) => Snapshot = fleetAsSnapshot,
  ) {
    super(intervalMs);
  }

  protected async first(): Promise<Snapshot> {
    return this.merge(await this.fleet.start());
  }

  protected next(): Snapshot {
    return this.merge(this.fleet.latest());
  }

  protected override onStop(): void {
    this.fleet.stop();
  }
}
