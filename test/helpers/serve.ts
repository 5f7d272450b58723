import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { get, type IncomingMessage } from 'node:http';
import type { Snapshot } from '../../src/model/types.js';
import { Listeners, type SnapshotSource } from '../../src/sampler/source.js';
import { CLI } from './fixtures.js';
import { freshConfigDir } from './run-cli.js';

/** A SnapshotSource the test drives: `emit` hands a snapshot to every subscriber. */
export class ManualSource implements SnapshotSource {
  private readonly listeners = new Listeners();
  subscriptions = 0;
  constructor(private readonly first: Snapshot) {}
  async start(): Promise<Snapshot> {
    this.listeners.emit(this.first);
    return this.first;
  }
  subscribe(l: (s: Snapshot) => void): () => void {
    this.subscriptions++;
    const off = this.listeners.add(l);
    return () => {
      this.subscriptions--;
      off();
    };
  }
  latest(): Snapshot | null {
    return this.listeners.latest();
  }
  emit(s: Snapshot): void {
    this.listeners.emit(s);
  }
  stop(): void {}
}

export interface Fetched {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** One request with Node's fetch (no keep-alive pool left behind). */
export async function fetchText(url: string, init: RequestInit = {}): Promise<Fetched> {
  const r = await fetch(url, { ...init, headers: { Connection: 'close', ...(init.headers ?? {}) } });
  return { status: r.status, headers: Object.fromEntries(r.headers), body: await r.text() };
}

/** A real Server-Sent Events client: the `data` of the first `count` events, within `ms`. */
export function sseEvents(url: string, count: number, ms = 10_000): Promise<{ events: string[]; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const events: string[] = [];
    let buffer = '';
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${events.length} of ${count} events from ${url} in ${ms} ms`));
    }, ms);
    const req = get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
          if (data.length) events.push(data.join('\n'));
          if (events.length === count) {
            clearTimeout(timer);
            req.destroy();
            resolve({ events, headers: res.headers });
            return;
          }
        }
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** `gpumon serve ARGS --port 0` as a child process, once it says where it listens. */
export class ServeProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
      env: { ...process.env, GPUMON_CONFIG_DIR: freshConfigDir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gpumon serve did not start: ${err}`)), 15_000);
      child.stdout!.on('data', (c) => {
        out += c;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`gpumon serve exited ${code}: ${err}`));
      });
    });
    return new ServeProcess(child, url);
  }

  /** Ends it with `signal`; resolves with its exit status. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.kill(signal);
    });
  }
}

/** `promtool check metrics` on the text (scripts/test-deps.mjs installs promtool before `npm test`). */
export function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
