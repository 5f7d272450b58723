import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FleetSnapshot } from '../../src/model/fleet.js';
import { FleetSource, readFleet } from '../../src/sampler/remote.js';
import { gpumon, STACK_FRAME } from '../helpers/run-cli.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_SMI } from '../helpers/fixtures.js';
import { fetchText, promtool, ServeProcess, sseEvents } from '../helpers/serve.js';
import { settles, waitFor } from '../helpers/wait.js';

/** A port nothing listens on: one a server had, and gave back. */
async function deadUrl(): Promise<string> {
  const s = await ServeProcess.start(['--demo', 'h100']);
  await s.stop();
  return s.url;
}

describe('a fleet of gpumon serve --demo instances on loopback', () => {
  let servers: ServeProcess[] = [];
  let dead = '';
  beforeAll(async () => {
    // allSettled: if one fails to start, the others are still stopped in afterAll (none left running).
    const started = await Promise.allSettled([
      ServeProcess.start(['--demo', '8xh100', '-i', '0.2']),
      ServeProcess.start(['--demo', 'h100', '-i', '0.2']),
      ServeProcess.start(['--demo', 'h100', '-i', '0.2']),
    ]);
    servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    dead = await deadUrl();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('--once --remote shows every host, labelled, with the fleet summary; a dead host is DOWN', () => {
    const r = gpumon(['--once', '--remote', `${servers[0]!.url},${servers[1]!.url},${dead}`]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^Fleet {2}3 hosts, 1 down {3}GPUs 9: \d busy {3}memory [\d.]+\/717 GiB {3}power [\d.]+ kW$/);
    expect(r.stdout).toContain(`══ dgx-demo  ${servers[0]!.url}`);
    expect(r.stdout).toContain(`══ h100-demo  ${servers[1]!.url}`);
    expect(r.stdout).toMatch(new RegExp(`══ ${dead}  DOWN since \\d\\d:\\d\\d:\\d\\d: connection refused`));
    expect(r.stdout.match(/H100 80GB HBM3   0000/g)).toHaveLength(9);
    expect(r.stderr).toBe('');
  });

  it('--json --remote has each host’s --json document, and why a host is down', () => {
    const r = gpumon(['--json', '--remote', `${servers[1]!.url},${dead}`]);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toMatchObject({ hosts: 2, hosts_up: 1, gpus: 1, 'memory.total': 81559 });
    expect(doc.hosts[0]).toMatchObject({ url: servers[1]!.url, up: true, down: null, snapshot: { hostname: 'h100-demo', gpus: [{ index: 0 }] } });
    expect(doc.hosts[1]).toMatchObject({ url: dead, up: false, snapshot: null, down: { reason: expect.stringMatching(/^connection refused/) } });
  });

  it('--check --remote: a host that is down is critical (exit 21), named', () => {
    const r = gpumon(['--check', '--remote', `${servers[1]!.url},${dead}`]);
    expect(r.status).toBe(21);
    expect(r.stdout).toMatch(/^critical {2}127\.0\.0\.1:\d+ {2}host {3}host_down: connection refused/m);
  });

  it('--remote with something that is not a URL is a usage error', () => {
    const r = gpumon(['--once', '--remote', 'http://a b']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--remote: 'http://a b' is not a server URL");
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a host that is killed mid-run is marked down as its stream closes, not at the timeout; the others keep updating', async () => {
    const victim = await ServeProcess.start(['--demo', 'h100', '-i', '0.2']);
    const fleet = new FleetSource([servers[1]!.url, victim.url, servers[2]!.url], { timeoutMs: 1500, backoffMs: 100 });
    try {
      const first = await fleet.start();
      expect(first.hosts.map((h) => h.down)).toEqual([null, null, null]);
      const seen: FleetSnapshot[] = [];
      fleet.subscribe((f) => seen.push(f));
      victim.child.kill('SIGKILL');
      await waitFor(() => fleet.latest().hosts[1]!.down, 'the killed host marked down');
      // Noticed by its connection ending, not by 1.5 s without data ('no data for 1.5 s').
      expect(fleet.latest().hosts[1]!.down!.reason).toMatch(/closed the stream|connection reset|connection refused/);
      const before = fleet.latest().hosts.map((h) => h.snapshot!.time);
      await vi.waitFor(() => expect([0, 2].map((i) => fleet.latest().hosts[i]!.snapshot!.time > before[i]!)).toEqual([true, true]), { timeout: 5000, interval: 20 });
      const after = fleet.latest();
      expect(after.hosts[1]!.down).not.toBeNull();
      expect(after.hosts[1]!.snapshot!.time).toBe(before[1]);
    } finally {
      fleet.stop();
      await victim.stop();
    }
  });

  it('a host that accepts but never answers is down after the timeout, and does not hold up the others', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {}); // accepts connections, says nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      // It comes back (a host that says nothing does not hang it), with the other host read.
      const f = await settles(readFleet([servers[1]!.url, silentUrl], 800), 'the fleet read');
      expect(f.hosts[0]!.snapshot?.host.hostname).toBe('h100-demo');
      expect(f.hosts[1]!.down?.reason).toBe('no answer in 0.8 s');
      const stream = new FleetSource([servers[1]!.url, silentUrl], { timeoutMs: 800 });
      const first = await settles(stream.start(), 'the first fleet snapshot');
      stream.stop();
      expect(first.hosts[0]!.down).toBeNull();
      expect(first.hosts[1]!.down?.reason).toBe('no data for 0.8 s');
    } finally {
      silent.close();
    }
  });

  it('a host that comes back is read again (reconnect with backoff)', async () => {
    const back = await ServeProcess.start(['--demo', 'h100', '-i', '0.2']);
    const fleet = new FleetSource([back.url], { timeoutMs: 1000, backoffMs: 100, maxBackoffMs: 200 });
    let again: ServeProcess | null = null;
    try {
      await fleet.start();
      await back.stop('SIGKILL');
      await waitFor(() => fleet.latest().hosts[0]!.down, 'the host marked down');
      again = await ServeProcess.start(['--demo', 'h100', '-i', '0.2', '--port', new URL(back.url).port]);
      await waitFor(() => fleet.latest().hosts[0]!.down === null, 'the host read again', { got: () => JSON.stringify(fleet.latest().hosts[0]!.down) });
    } finally {
      fleet.stop();
      await again?.stop();
    }
  });
});

describe('gpumon serve as a command', () => {
  it('fifty scrapers and ten stream clients share one nvidia-smi collection', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'gpumon-smi-log-')), 'calls');
    const s = await ServeProcess.start(['--nvidia-smi', FAKE_SMI, '-i', '0.2'], { FAKE_SMI_SCENARIO: 'series', FAKE_SMI_LOG: log });
    try {
      const calls = () => readFileSync(log, 'utf8').trim().split('\n');
      const streaming = (c: string) => c.includes(' -lms ') || c.startsWith('pmon ');
      // Its three long-lived streams are running (each logs once its process is up, later on a slow machine).
      await vi.waitFor(() => expect(calls().filter(streaming)).toHaveLength(3), { timeout: 10_000, interval: 20 });
      const before = calls().length;
      const streams = Array.from({ length: 10 }, () => sseEvents(`${s.url}/api/stream`, 4));
      const scrapes = await Promise.all(Array.from({ length: 50 }, () => fetchText(`${s.url}/metrics`)));
      expect(scrapes.every((r) => r.status === 200)).toBe(true);
      expect(promtool(scrapes[0]!.body).status).toBe(0);
      expect((await Promise.all(streams)).every((r) => r.events.length === 4)).toBe(true);
      // No nvidia-smi started for any of them: the long-lived streams serve everyone. What the
      // sampler may run meanwhile is its own check of a silent process stream (a one-shot
      // --query-compute-apps after 1.5 intervals + 250 ms without a line, as on a loaded machine).
      const silenceCheck = (c: string) => c.startsWith('--query-compute-apps=') && !c.includes(' -lms ');
      expect(calls().slice(before).filter((c) => !silenceCheck(c))).toEqual([]);
    } finally {
      expect(await s.stop('SIGINT')).toBe(0);
    }
  });

  it('a port in use: a clear message and exit 69', async () => {
    const s = await ServeProcess.start(['--demo', 'h100']);
    try {
      const r = gpumon(['serve', '--demo', '--port', new URL(s.url).port]);
      expect(r.status).toBe(69);
      expect(r.stderr).toBe(`gpumon: serve: 127.0.0.1:${new URL(s.url).port} is already in use (another gpumon serve? pick another with --port)\n`);
    } finally {
      expect(await s.stop('SIGTERM')).toBe(0);
    }
  });

  it('a bad port is a usage error; without nvidia-smi it fails as --once does', () => {
    expect(gpumon(['serve', '--port', '99999']).status).toBe(2);
    const r = gpumon(['serve', '--nvidia-smi', '/nonexistent/nvidia-smi']);
    expect(r.status).toBe(3);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
