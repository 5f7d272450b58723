import { get } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_LIMITS } from '../../src/model/alerts.js';
import type { Snapshot } from '../../src/model/types.js';
import { GPU_METRICS } from '../../src/serve/metrics.js';
import { type GpumonServer, type ServeOptions, startServer, withoutProcessDetails } from '../../src/serve/server.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { parseSnapshotJson } from '../../src/sampler/remote-json.js';
import { renderJson } from '../../src/views/json.js';
import { demoAt, T0, withProcesses } from '../helpers/snapshots.js';
import { fetchText, ManualSource, promtool, sseEvents } from '../helpers/serve.js';

const OPTIONS: ServeOptions = { host: '127.0.0.1', port: 0, version: '9.9.9', exposeProcesses: false, alertLimits: DEFAULT_ALERT_LIMITS };

let servers: GpumonServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(first: Snapshot, o: Partial<ServeOptions> = {}) {
  const source = new ManualSource(first);
  await source.start();
  const server = await startServer(source, first, { ...OPTIONS, ...o });
  servers.push(server);
  return { source, server, url: server.url };
}

/** The value of one series in the exposition text, or undefined when it is not there. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const row = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return row === undefined ? undefined : Number(row.slice(row.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  it('passes promtool check metrics, with gpumon_ names, units and the GPU labels', async () => {
    const { url } = await serve(withProcesses(demoAt('8xh100'), 3));
    const r = await fetchText(`${url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const check = promtool(r.body);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
    const names = [...new Set(r.body.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!))];
    expect(names.every((n) => /^gpumon_[a-z0-9_]+$/.test(n))).toBe(true);
    expect(names).toEqual(expect.arrayContaining(GPU_METRICS.map((m) => m.name)));
    // No Node process metrics: this endpoint describes GPUs.
    expect(r.body).not.toMatch(/^(process|nodejs)_/m);
    const gpu3 = { gpu: '3', uuid: 'GPU-83f940cf-1e20-11a7-9070-127ab0ea4003', model: 'NVIDIA H100 80GB HBM3', hostname: 'dgx-demo' };
    const s = demoAt('8xh100');
    const g = s.gpus[3]!;
    expect(value(r.body, 'gpumon_gpu_utilization_ratio', gpu3)).toBeCloseTo(g.utilizationGpu! / 100);
    expect(value(r.body, 'gpumon_gpu_memory_used_bytes', gpu3)).toBe(g.memoryUsedMiB! * 1048576);
    expect(value(r.body, 'gpumon_gpu_power_draw_watts', gpu3)).toBe(g.powerDrawW);
    expect(value(r.body, 'gpumon_gpu_sm_clock_hertz', gpu3)).toBe(g.clockSmMHz! * 1e6);
    expect(value(r.body, 'gpumon_gpu_temperature_celsius', gpu3)).toBe(g.temperatureGpuC);
    expect(value(r.body, 'gpumon_gpu_clock_event_active', { ...gpu3, reason: 'sw_power_cap' })).toBe(g.clockEventReasons!.includes('sw_power_cap') ? 1 : 0);
    expect(value(r.body, 'gpumon_gpu_ecc_uncorrected_errors_total', gpu3)).toBe(0);
    expect(value(r.body, 'gpumon_alert_active', { ...gpu3, rule: 'temperature', severity: 'warning' })).toBe(0);
  });

  it('leaves unknown values out instead of writing 0 (the H100 has no fan reading)', async () => {
    const s = demoAt('h100');
    expect(s.gpus[0]!.fanSpeedPercent).toBeNull();
    const { body } = await fetchText(`${(await serve(s)).url}/metrics`);
    expect(body).toContain('# TYPE gpumon_gpu_fan_speed_ratio gauge');
    expect(body).not.toMatch(/^gpumon_gpu_fan_speed_ratio\{/m);
    expect(body).toMatch(/^gpumon_gpu_temperature_celsius\{/m);
  });

  it('follows each new snapshot, alerts included, and drops a GPU that is gone', async () => {
    const first = demoAt('8xh100');
    const { source, url } = await serve(first);
    const hot = { ...first, time: T0 + 1000, gpus: first.gpus.slice(0, 2).map((g) => ({ ...g, clockEventReasons: ['hw_slowdown' as const] })) };
    source.emit(hot);
    const { body } = await fetchText(`${url}/metrics`);
    expect(body).not.toContain('gpu="5"');
    expect(value(body, 'gpumon_alert_active', { gpu: '1', rule: 'slowdown', severity: 'critical' })).toBe(1);
    expect(value(body, 'gpumon_snapshot_timestamp_seconds', { hostname: 'dgx-demo' })).toBe((T0 + 1000) / 1000);
  });

  it('a lost GPU is gpumon_gpu_lost 1 with no readings, and an alert; still valid for promtool', async () => {
    const s = demoAt('8xh100');
    const lost = { ...s, gpus: [s.gpus[0]!, lostGpu(s.gpus[1]!)], stale: { since: T0, reason: 'nvidia-smi restarted' } };
    const { body } = await fetchText(`${(await serve(lost)).url}/metrics`);
    expect(promtool(body).status).toBe(0);
    const gpu1 = { gpu: '1', uuid: s.gpus[1]!.uuid };
    expect(value(body, 'gpumon_gpu_lost', gpu1)).toBe(1);
    expect(value(body, 'gpumon_gpu_temperature_celsius', gpu1)).toBeUndefined();
    expect(value(body, 'gpumon_alert_active', { ...gpu1, rule: 'gpu_lost', severity: 'critical' })).toBe(1);
    expect(value(body, 'gpumon_snapshot_stale', { hostname: 'dgx-demo' })).toBe(1);
  });

  it('keeps process users and command lines out unless --expose-processes', async () => {
    const s = demoAt('h100');
    const user = s.processes[0]!.user!;
    const hidden = (await fetchText(`${(await serve(s)).url}/metrics`)).body;
    expect(hidden).toMatch(/^gpumon_process_gpu_memory_bytes\{.*pid="912"/m);
    expect(hidden).not.toContain(`user="${user}"`);
    expect(hidden).not.toContain('burn.py');
    const shown = (await fetchText(`${(await serve(s, { exposeProcesses: true })).url}/metrics`)).body;
    expect(shown).toContain(`user="${user}"`);
    expect(shown).toContain('command="python3 burn.py 20 20"');
    expect(promtool(shown).status).toBe(0);
  });
});

describe('/api/snapshot, /api/stream, /healthz', () => {
  it('/api/snapshot is the --json document, without users and command lines by default', async () => {
    const s = demoAt('h100');
    const { url } = await serve(s);
    const r = await fetchText(`${url}/api/snapshot`);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.body).toBe(renderJson(withoutProcessDetails(s), '9.9.9'));
    const p = JSON.parse(r.body).gpus[0].processes[0];
    expect(p).toMatchObject({ pid: 912, username: null, full_command: null, unknown: { username: 'not_exposed', full_command: 'not_exposed' } });
    const exposed = await fetchText(`${(await serve(s, { exposeProcesses: true })).url}/api/snapshot`);
    expect(exposed.body).toBe(renderJson(s, '9.9.9'));
  });

  it('/api/stream sends the newest snapshot at once, then one event per snapshot, to every client', async () => {
    const first = demoAt('8xh100', 10_000);
    const { source, url, server } = await serve(first);
    const clients = [sseEvents(`${url}/api/stream`, 3), sseEvents(`${url}/api/stream`, 3)];
    while (server.streamClients() < 2) await new Promise((r) => setTimeout(r, 10));
    source.emit(demoAt('8xh100', 11_000, T0 + 1000));
    source.emit(demoAt('8xh100', 12_000, T0 + 2000));
    for (const { events, headers } of await Promise.all(clients)) {
      expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(events.map((e) => parseSnapshotJson(e).time)).toEqual([T0, T0 + 1000, T0 + 2000]);
    }
    expect(source.subscriptions).toBe(1);
  });

  it('/api/stream sends keep-alive comments between snapshots', async () => {
    const { url } = await serve(demoAt('h100'), { keepAliveMs: 50 });
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      const req = get(`${url}/api/stream`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          got += c;
          if ((got.match(/: keep-alive\n\n/g) ?? []).length >= 2) {
            req.destroy();
            resolve(got);
          }
        });
      });
      req.on('error', reject);
    });
    expect(text.startsWith('event: snapshot\ndata: {')).toBe(true);
    expect(text.split('event: snapshot')).toHaveLength(2);
  });

  it('/healthz is 200 with fresh data, 503 while stale', async () => {
    const s = demoAt('h100');
    const { source, url } = await serve(s);
    const ok = await fetchText(`${url}/healthz`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ status: 'ok' });
    source.emit({ ...s, stale: { since: T0, reason: 'nvidia-smi is not answering' } });
    const stale = await fetchText(`${url}/healthz`);
    expect(stale.status).toBe(503);
    expect(JSON.parse(stale.body)).toMatchObject({ status: 'stale', reason: 'nvidia-smi is not answering' });
  });

  it('answers a wrong path with 404 and a wrong method with 405 and Allow', async () => {
    const { url } = await serve(demoAt('h100'));
    expect((await fetchText(`${url}/metric`)).status).toBe(404);
    const post = await fetchText(`${url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await fetchText(`${url}/api/snapshot`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
  });
});

describe('clients that do not keep up', () => {
  it('drops a stream client that stops reading; the others keep getting events', async () => {
    const big = withProcesses(demoAt('8xh100'), 40); // ~100 KB per event
    const { source, url, server } = await serve(big, { maxClientBufferBytes: 256 * 1024 });
    const { port } = new URL(url);
    // A client that sends its request and never reads a byte.
    const stuck = connect(Number(port), '127.0.0.1');
    stuck.write('GET /api/stream HTTP/1.1\r\nHost: x\r\n\r\n');
    stuck.pause();
    const closed = new Promise<void>((r) => stuck.on('close', () => r()));
    stuck.on('error', () => {});
    while (server.streamClients() < 1) await new Promise((r) => setTimeout(r, 10));
    const reader = sseEvents(`${url}/api/stream`, 150, 20_000);
    while (server.streamClients() < 2) await new Promise((r) => setTimeout(r, 10));
    for (let i = 1; i < 1000 && server.streamClients() === 2; i++) {
      source.emit({ ...big, time: T0 + i });
      await new Promise((r) => setImmediate(r));
    }
    expect(server.streamClients()).toBe(1);
    for (let i = 1000; (await Promise.race([reader.then(() => true), new Promise((r) => setTimeout(() => r(false), 5))])) === false; i++) source.emit({ ...big, time: T0 + i });
    expect((await reader).events).toHaveLength(150);
    stuck.resume();
    await closed;
  });

  it('closes a socket that sends no request within the idle timeout', async () => {
    const { url } = await serve(demoAt('h100'), { idleTimeoutMs: 300 });
    const idle = connect(Number(new URL(url).port), '127.0.0.1');
    const started = Date.now();
    await new Promise<void>((r) => idle.on('close', () => r()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
