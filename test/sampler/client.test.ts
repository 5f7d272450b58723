import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NvidiaSmi } from '../../src/sampler/nvidia-smi/client.js';
import { SmiFailure } from '../../src/sampler/nvidia-smi/failure.js';
import { FAKE_SMI } from '../helpers/fixtures.js';
import { settles } from '../helpers/wait.js';

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('FAKE_SMI_')) delete process.env[k];
  Object.assign(process.env, saved);
});

function scenario(env: Record<string, string>): void {
  Object.assign(process.env, env);
}

async function failure(p: Promise<unknown>): Promise<SmiFailure> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SmiFailure);
  return e as SmiFailure;
}

/** Running, and not a zombie waiting for a parent to reap it. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('NvidiaSmi against the fake nvidia-smi', () => {
  it('queries GPUs, processes and versions', async () => {
    scenario({ FAKE_SMI_SCENARIO: 'load', FAKE_SMI_GPUS: '2' });
    const smi = new NvidiaSmi(FAKE_SMI, 10_000);
    const [gpus, apps, versions] = await Promise.all([smi.queryGpus(), smi.queryComputeApps(), smi.versions()]);
    expect(gpus.rows.map((r) => r.sample.utilizationGpu)).toEqual([99, 99]);
    expect(gpus.rows[1]!.sample.clockEventReasons).toEqual(['sw_power_cap']);
    expect(apps.apps.map((a) => a.pid)).toEqual([912, 913]);
    expect(versions).toEqual({ driverVersion: '580.159.04', cudaVersion: '13.0' });
  });

  it('learns which fields an older driver lacks, asks again, and remembers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-'));
    scenario({ FAKE_SMI_INVALID: 'power.draw.instant,clocks_event_reasons.active', FAKE_SMI_LOG: join(dir, 'log') });
    const smi = new NvidiaSmi(FAKE_SMI, 10_000);
    const first = await smi.queryGpus();
    expect(first.rows[0]!.sample.powerDrawInstantW).toBeNull();
    expect(first.rows[0]!.sample.unknown.powerDrawInstantW).toBe('field_unsupported');
    // clocks_throttle_reasons.active (the older name) took over.
    expect(first.rows[0]!.sample.clockEventReasons).toEqual(['gpu_idle']);
    expect(smi.notes()).toEqual(['this driver does not report: power.draw.instant']);
    const spawnsAfterLearning = readFileSync(join(dir, 'log'), 'utf8').trim().split('\n').length;
    expect(spawnsAfterLearning).toBe(3);
    await smi.queryGpus();
    expect(readFileSync(join(dir, 'log'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('runs one query of a kind at a time: concurrent callers share it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-'));
    scenario({ FAKE_SMI_LOG: join(dir, 'log') });
    const smi = new NvidiaSmi(FAKE_SMI, 10_000);
    const [a, b] = await Promise.all([smi.queryGpus(), smi.queryGpus()]);
    expect(a).toBe(b);
    expect(readFileSync(join(dir, 'log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['not-loaded', 'driver_not_loaded', /cannot talk to the NVIDIA driver/],
    ['mismatch', 'driver_mismatch', /different versions/],
    ['no-devices', 'no_devices', /found no GPUs/],
    ['garbage', 'unreadable', /cannot read/],
  ])('scenario %s fails as %s with a message', async (name, kind, message) => {
    scenario({ FAKE_SMI_SCENARIO: name });
    const e = await failure(new NvidiaSmi(FAKE_SMI, 10_000).queryGpus());
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(message);
  });

  it('keeps what nvidia-smi said as detail', async () => {
    scenario({ FAKE_SMI_SCENARIO: 'mismatch' });
    const e = await failure(new NvidiaSmi(FAKE_SMI, 10_000).queryGpus());
    expect(e.detail).toContain('Driver/library version mismatch');
  });

  it('a missing or non-executable nvidia-smi is not_installed and points at --demo', async () => {
    const e = await failure(new NvidiaSmi('/nonexistent/nvidia-smi', 10_000).queryGpus());
    expect(e.kind).toBe('not_installed');
    expect(e.message).toMatch(/--demo/);
    const f = await failure(new NvidiaSmi(join(process.cwd(), 'package.json'), 10_000).queryGpus());
    expect(f.kind).toBe('not_installed');
  });

  it('kills a hung nvidia-smi and its children after the timeout', async () => {
    const pidfile = join(mkdtempSync(join(tmpdir(), 'gpumon-')), 'pids');
    scenario({ FAKE_SMI_SCENARIO: 'hang', FAKE_SMI_PIDFILE: pidfile });
    // Ended by the timeout (its kind says so), not by the hung process, which never ends.
    const e = await settles(failure(new NvidiaSmi(FAKE_SMI, 1500).queryGpus()), 'the query to fail', { deadlineMs: 20_000 });
    expect(e.kind).toBe('timeout');
    const [smiPid, childPid] = readFileSync(pidfile, 'utf8').trim().split(' ').map(Number);
    // Killed with the group: gone once reaped.
    await vi.waitFor(() => expect([alive(smiPid!), alive(childPid!)]).toEqual([false, false]), { timeout: 5000, interval: 20 });
  });

  it('a lost GPU: the others are read, the lost one is reported unreachable', async () => {
    scenario({ FAKE_SMI_SCENARIO: 'lost', FAKE_SMI_GPUS: '3' });
    // nvidia-smi exits 15 here, but prints rows for the GPUs it reached.
    const r = await new NvidiaSmi(FAKE_SMI, 10_000).queryGpus();
    expect(r.rows.map((x) => x.sample.index)).toEqual([0, 1]);
    expect(r.unreachable).toMatchObject([{ busId: '00000000:38:00.0', position: 2 }]);
  });
});
