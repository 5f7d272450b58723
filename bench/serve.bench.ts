// Issue 6: gpumon serve under 50 scrapes a second, prom-client's cost per
// snapshot, and the fleet view with 16 hosts of 8 GPUs.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ALERT_LIMITS } from '../src/model/alerts.js';
import { fleetAsSnapshot } from '../src/model/fleet.js';
import type { Snapshot } from '../src/model/types.js';
import { DemoSource, loadRecording } from '../src/sampler/demo.js';
import { FleetSource } from '../src/sampler/remote.js';
import { SnapshotMetrics } from '../src/serve/metrics.js';
import { startServer } from '../src/serve/server.js';
import { renderJson } from '../src/views/json.js';
import { withProcesses, demoAt } from '../test/helpers/snapshots.js';
import { CLI, fmt, processCpuSeconds, quantile, table } from './lib.js';
import { timeFrames } from './monitor-frame.js';

const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
const FLEET_HOSTS = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Child mode: 16 gpumon servers of the 8-GPU demo (all named dgx-demo) in one process; prints their URLs. */
if (process.env.BENCH_FLEET_CHILD) {
  const urls: string[] = [];
  for (let i = 0; i < FLEET_HOSTS; i++) {
    const source = new DemoSource(loadRecording('8xh100'), { intervalMs: 1000, selection: null });
    const server = await startServer(source, await source.start(), { host: '127.0.0.1', port: 0, version: 'bench', exposeProcesses: false, alertLimits: DEFAULT_ALERT_LIMITS });
    urls.push(server.url);
  }
  console.log(JSON.stringify(urls));
  await new Promise(() => {});
}

async function serveChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  return { child, url };
}

console.log(`### /metrics under 50 scrapes a second for ${SECONDS} s (gpumon serve --demo, 8 GPUs), beside an idle server\n`);
{
  const [scraped, idle] = await Promise.all([serveChild(), serveChild()]);
  await sleep(1000);
  const cpu0 = [processCpuSeconds(scraped.child.pid!), processCpuSeconds(idle.child.pid!)];
  const latencies: number[] = [];
  let bytes = 0;
  const pending: Promise<void>[] = [];
  const end = Date.now() + SECONDS * 1000;
  for (let next = Date.now(); next < end; next += 20) {
    await sleep(Math.max(0, next - Date.now()));
    pending.push(
      (async () => {
        const t = process.hrtime.bigint();
        const body = await (await fetch(`${scraped.url}/metrics`)).text();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        bytes = body.length;
      })(),
    );
  }
  await Promise.all(pending);
  const cpu = [processCpuSeconds(scraped.child.pid!) - cpu0[0]!, processCpuSeconds(idle.child.pid!) - cpu0[1]!];
  latencies.sort((a, b) => a - b);
  table(
    ['server', 'scrapes', 'latency p50 ms', 'p90 ms', 'p99 ms', 'CPU % of one core'],
    [
      ['scraped 50/s', latencies.length, quantile(latencies, 0.5), quantile(latencies, 0.9), quantile(latencies, 0.99), (cpu[0]! / SECONDS) * 100],
      ['idle (same build, no scrapes)', 'none', '-', '-', '-', (cpu[1]! / SECONDS) * 100],
    ],
  );
  console.log(`\n/metrics is ${fmt(bytes / 1024)} KiB. CPU per scrape: ${fmt(((cpu[0]! - cpu[1]!) * 1000) / latencies.length)} ms (scraped minus idle, over the scrapes).`);
  scraped.child.kill();
  idle.child.kill();
}

console.log('\n### prom-client per snapshot (in-process, 8 GPUs with 200 processes): the text is made once per snapshot, then served from cache\n');
{
  const s = withProcesses(demoAt('8xh100'), 25);
  const metrics = new SnapshotMetrics({ version: 'bench', exposeProcesses: false });
  const time = async (fn: () => unknown, n = 300) => {
    const t: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = process.hrtime.bigint();
      await fn();
      t.push(Number(process.hrtime.bigint() - a) / 1e6);
    }
    t.sort((a, b) => a - b);
    return [quantile(t, 0.5), quantile(t, 0.9)] as const;
  };
  const fresh = await time(async () => {
    metrics.update(s, []);
    await metrics.metrics();
  });
  const cached = await time(() => metrics.metrics());
  const json = await time(() => renderJson(s, 'bench'));
  // What prom-client's default Node process metrics would add (gpumon does not export them).
  const { Registry, collectDefaultMetrics } = await import('prom-client');
  const nodeMetrics = new Registry();
  collectDefaultMetrics({ register: nodeMetrics });
  const defaults = await time(() => nodeMetrics.metrics());
  const defaultSeries = (await nodeMetrics.metrics()).split('\n').filter((l) => l && !l.startsWith('#')).length;
  table(
    ['work', 'median ms', 'p90 ms'],
    [
      ['update + registry.metrics() (once per snapshot)', ...fresh],
      ['a scrape between snapshots (cached text)', ...cached],
      ['renderJson (/api/snapshot, once per snapshot)', ...json],
      [`prom-client's default Node metrics, per scrape (not exported; ${defaultSeries} series)`, ...defaults],
    ],
  );
}

console.log(`\n### Fleet view: ${FLEET_HOSTS} hosts x 8 GPUs on loopback (servers in one child process), read for ${SECONDS} s\n`);
{
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_FLEET_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await new Promise<string[]>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
  });
  const fleet = new FleetSource(urls, { timeoutMs: 5000 });
  await fleet.start();
  await sleep(1000);
  const merged: Snapshot[] = [];
  const cpu0 = process.cpuUsage();
  const serversCpu0 = processCpuSeconds(child.pid!);
  for (let i = 0; i < SECONDS; i++) {
    await sleep(1000);
    merged.push(fleetAsSnapshot(fleet.latest()));
  }
  const used = process.cpuUsage(cpu0);
  const serversCpu = processCpuSeconds(child.pid!) - serversCpu0;
  fleet.stop();
  child.kill();
  const up = fleet.latest().hosts.filter((h) => !h.down).length;
  const frame = await timeFrames([...merged, ...merged, ...merged], 120, 40, 3);
  const wide = await timeFrames([...merged, ...merged, ...merged], 200, 60, 3);
  table(
    ['what', 'value'],
    [
      ['hosts up at the end', `${up} of ${urls.length}`],
      ['GPUs in the merged snapshot', merged.at(-1)!.gpus.length],
      ['reader CPU (16 SSE streams, parse, merge), % of one core', ((used.user + used.system) / 1e4 / SECONDS)],
      ['the 16 servers together, % of one core', (serversCpu / SECONDS) * 100],
      ['monitor frame 120x40, median / p90 ms', `${fmt(frame.medianMs)} / ${fmt(frame.p90Ms)}`],
      ['monitor frame 200x60, median / p90 ms', `${fmt(wide.medianMs)} / ${fmt(wide.p90Ms)}`],
    ],
  );
}
process.exit(0);
