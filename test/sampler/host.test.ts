import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuPercentBetween, HostReader, parseMeminfo, parseProcStatCpu } from '../../src/sampler/host/proc-host.js';
import { parsePasswd, parsePidStat, ProcessReader } from '../../src/sampler/host/proc-processes.js';

describe('/proc parsing', () => {
  it('reads CPU counters and computes busy % between two readings', () => {
    const a = parseProcStatCpu('cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3\n')!;
    const b = parseProcStatCpu('cpu  150 0 150 900 0 0 0 0 0 0\n')!;
    expect(a).toEqual({ busy: 200, total: 1000 });
    expect(cpuPercentBetween(a, b)).toBe(50);
    expect(cpuPercentBetween(a, a)).toBeNull();
    expect(parseProcStatCpu('garbage')).toBeNull();
  });

  it('reads meminfo in bytes', () => {
    const m = parseMeminfo('MemTotal:       16384 kB\nMemAvailable:    4096 kB\nHugePages_Total:       0\n');
    expect(m.get('MemTotal')).toBe(16384 * 1024);
    expect(m.get('MemAvailable')).toBe(4096 * 1024);
    expect(m.has('HugePages_Total')).toBe(false);
  });

  it('reads /proc/[pid]/stat even when the command name has spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    // utime=14, stime=15, starttime=22, rss=24 (1-based field numbers).
    const text = `912 (python3 (x) y) ${fields.join(' ')}`;
    expect(parsePidStat(text)).toEqual({ cpuTicks: 14 + 15, startTicks: 22, rssPages: 24 });
    expect(parsePidStat('no parens')).toBeNull();
  });

  it('maps uids to names, first entry wins', () => {
    const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\ndup:x:0:0::/:/bin/sh\n# comment\n');
    expect(users.get(0)).toBe('root');
    expect(users.get(1000)).toBe('alice');
  });
});

describe('HostReader on this machine', () => {
  it('reads hostname, memory, load and uptime; CPU % once it has two readings', async () => {
    const reader = new HostReader();
    await new Promise((r) => setTimeout(r, 50));
    const h = reader.sample();
    expect(h.hostname).toBe(os.hostname());
    expect(h.memoryTotalBytes).toBeGreaterThan(0);
    expect(h.memoryUsedBytes).toBeGreaterThan(0);
    expect(h.memoryUsedBytes!).toBeLessThanOrEqual(h.memoryTotalBytes!);
    expect(h.loadAverage).toHaveLength(3);
    expect(h.uptimeSeconds).toBeGreaterThan(0);
    expect(h.cpuCount).toBeGreaterThan(0);
    if (h.cpuPercent !== null) expect(h.cpuPercent).toBeGreaterThanOrEqual(0);
    else expect(h.unknown.cpuPercent).toBe('no_previous_sample');
  });
});

describe('ProcessReader on this machine', () => {
  it('reads a live process: user, argv, RSS, start time, %CPU', async () => {
    // The child spins until it has used 300 ms of CPU, says how much CPU it has used, then idles.
    const script =
      "while (process.cpuUsage().user < 3e5); const u = process.cpuUsage(); console.log((u.user + u.system) / 1e6); setInterval(() => {}, 1000);";
    const spawnedAt = Date.now();
    const child = spawn(process.execPath, ['-e', script, 'marker arg'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const cpuSeconds = Number(await new Promise<string>((r) => child.stdout.setEncoding('utf8').once('data', r)));
    const reader = new ProcessReader();
    const info = reader.read([child.pid!], os.totalmem()).get(child.pid!)!;
    const elapsedS = (Date.now() - spawnedAt) / 1000;
    child.kill();
    expect(info.argv).toEqual([process.execPath, '-e', script, 'marker arg']);
    expect(info.user).toBe(os.userInfo().username);
    expect(info.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(info.memPercent).toBeGreaterThan(0);
    expect(info.elapsedSeconds).toBeGreaterThanOrEqual(0);
    expect(info.elapsedSeconds).toBeLessThanOrEqual(elapsedS + 1);
    expect(Math.abs(info.startTimeMs! - spawnedAt)).toBeLessThan(2000);
    // Its lifetime %CPU is the CPU it used over its elapsed time, whatever the machine's load:
    // /proc counts user and system time in 10 ms ticks (one tick below each), and idling costs a little.
    expect(cpuSeconds).toBeGreaterThanOrEqual(0.3);
    const procCpuSeconds = (info.cpuPercent! / 100) * info.elapsedSeconds!;
    expect(procCpuSeconds).toBeGreaterThan(cpuSeconds - 0.02);
    expect(procCpuSeconds).toBeLessThan(cpuSeconds + 0.05);
    expect(info.cpuPercent).toBeLessThanOrEqual(100 * os.cpus().length);
  });

  it('a pid that is not visible gets nulls with the reason, never zeros', () => {
    const info = new ProcessReader().read([2 ** 22 + 12345], null).get(2 ** 22 + 12345)!;
    expect(info).toMatchObject({ user: null, cpuPercent: null, rssBytes: null, argv: null });
    expect(info.unknown.user).toBe('not_visible');
  });
});
