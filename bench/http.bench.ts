// Issue 4: the `bench http` load generator's own cost and accuracy, against a
// loopback server in another process (so every number here is the client's):
// 256 streams at 100 tokens/s each (25,600 events/s), through undici's
// dispatcher (what gpumon uses), node:http and fetch, with CPU, event-loop
// lag and the ITL error against the server's true spacing; then short
// non-streaming requests through the whole `bench http` engine against
// autocannon.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { type HttpBenchConfig, runHttpBench } from '../src/bench/http-bench.js';
import { LiveStats } from '../src/bench/live-stats.js';
import { runLoad } from '../src/bench/load.js';
import { Http1Client } from '../src/bench/http1-client.js';
import type { RequestSpec } from '../src/bench/request.js';
import { SseParser } from '../src/bench/sse.js';
import { percentileOfSorted } from '../src/model/stats.js';
import { fmt, table } from './lib.js';

const STREAMS = 256;
const TOKENS = 500;
const SPACING_MS = 10;

/** The server: `serve` mode of this same file, in its own process. */
function serve(): void {
  const gaps: number[] = [];
  const chunk = (i: number) => `data: {"choices":[{"index":0,"text":" t${i}"}]}\n\n`;
  const server = http.createServer((req, res) => {
    if (req.url === '/stats') {
      const sorted = gaps.splice(0).sort((a, b) => a - b);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ medianGapMs: percentileOfSorted(sorted, 50), gaps: sorted.length }));
    }
    req.resume();
    req.on('end', () => {
      if (req.url === '/short') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"choices":[{"index":0,"text":"ok"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}');
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      let last = performance.now();
      // Each write is due SPACING_MS after the previous one was due, so lateness does not add up.
      let due = last + SPACING_MS;
      const tick = () => {
        const now = performance.now();
        if (i > 0) gaps.push(now - last);
        last = now;
        res.write(chunk(i++));
        if (i === TOKENS) return res.end('data: [DONE]\n\n');
        due += SPACING_MS;
        setTimeout(tick, Math.max(0, due - performance.now()));
      };
      setTimeout(tick, SPACING_MS);
    });
  });
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
}

/** The same load through node:http, for comparison. */
function nodeHttpStream(agent: http.Agent, url: string, body: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const sse = new SseParser();
      const times: number[] = [];
      res.setEncoding('utf8');
      res.on('data', (t: string) => {
        const at = performance.now();
        for (const data of sse.push(t)) if (data !== '[DONE]') times.push(at);
      });
      res.on('end', () => resolve(times.slice(1).map((t, i) => t - times[i]!)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The same load through fetch (undici) and a web-stream reader, for comparison. */
async function fetchStream(url: string, body: string): Promise<number[]> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const sse = new SseParser();
  const times: number[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const at = performance.now();
    for (const data of sse.push(value)) if (data !== '[DONE]') times.push(at);
  }
  return times.slice(1).map((t, i) => t - times[i]!);
}

interface Measured {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly lagP50: number;
  readonly lagP99: number;
  readonly lagMax: number;
  readonly itls: number[];
}

async function measure(drive: () => Promise<number[]>): Promise<Measured> {
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const itls = await drive();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  lag.disable();
  return { cpuMs: (used.user + used.system) / 1000, wallMs, lagP50: lag.percentile(50) / 1e6, lagP99: lag.percentile(99) / 1e6, lagMax: lag.max / 1e6, itls: itls.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [process.argv[1]!, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok) => child.stdout.once('data', (b: Buffer) => ok(Number(String(b).trim()))));
  const base = `http://127.0.0.1:${port}`;
  const stats = async () => (await (await fetch(`${base}/stats`)).json()) as { medianGapMs: number; gaps: number };
  const body = JSON.stringify({ model: 'm', prompt: 'hi', max_tokens: TOKENS, stream: true });
  const pool = new Http1Client(new URL(base), STREAMS);
  const agent = new http.Agent({ keepAlive: true, maxSockets: STREAMS });
  const spec = (path: string): RequestSpec => ({ url: new URL(path, base), body, apiKey: null, idleTimeoutMs: 30_000, promptTokensEstimate: 1 });
  const plan = { numPrompts: STREAMS, durationMs: null, requestRate: Infinity, burstiness: 1, maxConcurrency: STREAMS, seed: 0 };

  console.log(`### ${STREAMS} concurrent streams at ${1000 / SPACING_MS} tokens/s each (${(STREAMS * 1000) / SPACING_MS} events/s), ${TOKENS} tokens per stream\n`);
  // One short warm-up of each, so neither pays for JIT and connections in its measurement.
  await runLoad({ ...plan, numPrompts: 8 }, pool, () => spec('/stream'));
  await Promise.all(Array.from({ length: 8 }, () => nodeHttpStream(agent, `${base}/stream`, body)));
  await Promise.all(Array.from({ length: 8 }, () => fetchStream(`${base}/stream`, body)));
  await stats();
  const rows: (string | number)[][] = [];
  const errors: Record<string, number> = {};
  for (const [name, drive] of [
    ['gpumon (its own HTTP/1.1 client)', async () => (await runLoad(plan, pool, () => spec('/stream'))).outcomes.flatMap((o) => [...o.itlsMs])],
    ['node:http', async () => (await Promise.all(Array.from({ length: STREAMS }, () => nodeHttpStream(agent, `${base}/stream`, body)))).flat()],
    ['fetch (Node\'s)', async () => (await Promise.all(Array.from({ length: STREAMS }, () => fetchStream(`${base}/stream`, body)))).flat()],
  ] as const) {
    const m = await measure(drive);
    const truth = await stats();
    const medianItl = percentileOfSorted(m.itls, 50)!;
    errors[name] = Math.abs(medianItl - truth.medianGapMs);
    rows.push([name, m.itls.length, `${fmt((100 * m.cpuMs) / m.wallMs)}%`, (1000 * m.cpuMs) / m.itls.length, m.lagP50, m.lagP99, m.lagMax, truth.medianGapMs, medianItl, errors[name]!]);
  }
  table(['client', 'gaps', 'CPU (of one core)', 'CPU µs / event', 'loop lag p50 ms', 'p99 ms', 'max ms', 'server median gap ms', 'client median ITL ms', 'ITL median error ms'], rows);
  console.log(`\nITL median error of gpumon's client: ${fmt(errors['gpumon (its own HTTP/1.1 client)']!)} ms (target: at most 1 ms)`);

  // Interleaved rounds (ours, autocannon, ours, ...), so a busy moment of the machine hits both alike; medians of the rounds.
  const ROUNDS = 5;
  const ROUND_S = 2;
  console.log(`\n### Short non-streaming requests: gpumon bench http against autocannon, same server, 64 connections, ${ROUNDS} interleaved rounds of ${ROUND_S} s each\n`);
  const connections = 64;
  // The whole engine as `gpumon bench http` runs it: a prompt and body made per request, the live stats fed per
  // request and read 4 times a second (the progress line on a terminal), a stop signal; its request_throughput.
  const short: HttpBenchConfig = {
    baseUrl: base, endpoint: '/short', model: 'm', apiKey: null, numPrompts: null, durationMs: ROUND_S * 1000, requestRate: Infinity, burstiness: 1,
    maxConcurrency: connections, seed: 0, numWarmups: 0, inputLen: 8, outputLen: 1, ignoreEos: false, iterations: 1, idleTimeoutMs: 30_000,
    idleBaselineMs: 0, serverMetricsUrl: null, metrics: { percentileMetrics: ['ttft', 'tpot', 'itl', 'e2el'], percentiles: [99], goodput: null }, detailed: false,
  };
  interface Round {
    readonly requests: number;
    readonly rps: number;
    readonly errors: number;
    /** The client process's CPU (all threads) per request, over the whole round: ours includes its summary at the end. */
    readonly cpuUsPerRequest: number;
  }
  const cpuUsPer = (since: NodeJS.CpuUsage, requests: number) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / requests;
  };
  const benchHttp = async (c: HttpBenchConfig): Promise<Round> => {
    const live = new LiveStats(1, null, c.durationMs! / 1000);
    const reader = setInterval(() => live.progress(), 250);
    const cpu = process.cpuUsage();
    try {
      const r = await runHttpBench(c, { unavailable: 'not measured here' }, live, new AbortController().signal);
      const requests = (r.completed as number) + (r.failed as number);
      return { requests, rps: r.request_throughput as number, errors: r.failed as number, cpuUsPerRequest: cpuUsPer(cpu, requests) };
    } finally {
      clearInterval(reader);
    }
  };
  const cannonRound = async (): Promise<Round> => {
    const cpu = process.cpuUsage();
    const r = await autocannon({ url: `${base}/short`, method: 'POST', body: shortBody, headers: { 'content-type': 'application/json' }, connections, duration: ROUND_S });
    return { requests: r.requests.total, rps: r.requests.total / (r.duration || ROUND_S), errors: r.errors + r.non2xx, cpuUsPerRequest: cpuUsPer(cpu, r.requests.total) };
  };
  // autocannon sends one fixed body of the same shape and size.
  const shortBody = JSON.stringify({ model: 'm', prompt: 'the of and to in is it that', max_tokens: 1, temperature: 0, stream: true, stream_options: { include_usage: true } });
  await benchHttp({ ...short, durationMs: 1000 });
  await cannonRound();
  const oursRounds: Round[] = [];
  const cannonRounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    oursRounds.push(await benchHttp({ ...short, seed: round }));
    cannonRounds.push(await cannonRound());
  }
  const median = (rs: Round[], key: 'rps' | 'cpuUsPerRequest') => [...rs].sort((a, b) => a[key] - b[key])[Math.floor(rs.length / 2)]!;
  const oursRps = median(oursRounds, 'rps').rps;
  const cannonRps = median(cannonRounds, 'rps').rps;
  const row = (name: string, rs: Round[]) => [name, median(rs, 'rps').requests, rs.map((r) => fmt(r.rps)).join(', '), median(rs, 'rps').rps, median(rs, 'cpuUsPerRequest').cpuUsPerRequest, rs.reduce((n, r) => n + r.errors, 0)];
  table(['client', 'requests (median round)', 'req/s, each round', 'median req/s', 'client CPU µs / request (median)', 'errors'], [row('gpumon bench http', oursRounds), row('autocannon', cannonRounds)]);
  console.log(`\ngpumon / autocannon: ${fmt(oursRps / cannonRps)}x (target: at least 0.8x)`);
  child.kill();
  agent.destroy();
  pool.close();
}

if (process.argv[2] === 'serve') serve();
else await main();
