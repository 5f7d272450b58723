import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/types.js';
import { LiveSampler } from '../../src/sampler/live-sampler.js';
import { NvidiaSmi } from '../../src/sampler/nvidia-smi/client.js';
import { SmiFailure } from '../../src/sampler/nvidia-smi/failure.js';
import { FAKE_SMI } from '../helpers/fixtures.js';

let sampler: LiveSampler | null = null;
afterEach(() => {
  sampler?.stop();
  sampler = null;
  for (const k of Object.keys(process.env)) if (k.startsWith('FAKE_SMI_')) delete process.env[k];
});

function logFile(): string {
  const f = join(mkdtempSync(join(tmpdir(), 'gpumon-')), 'log');
  process.env.FAKE_SMI_LOG = f;
  return f;
}

const invocations = (f: string) => readFileSync(f, 'utf8').trim().split('\n');

/** Starts a sampler on the fake and collects snapshots until `done` says so. */
async function collect(env: Record<string, string>, done: (all: Snapshot[]) => boolean, intervalMs = 250, selection: readonly string[] | null = null) {
  Object.assign(process.env, env);
  sampler = new LiveSampler({ smi: new NvidiaSmi(FAKE_SMI, 10_000), intervalMs, selection });
  const all: Snapshot[] = [];
  const finished = new Promise<void>((resolve) => {
    sampler!.subscribe((s) => {
      all.push(s);
      if (done(all)) resolve();
    });
  });
  all.push(await sampler.start());
  await finished;
  return all;
}

describe('LiveSampler on the fake nvidia-smi', () => {
  it('streams: two long-lived processes after the first query, not a spawn per tick', async () => {
    const log = logFile();
    const all = await collect({ FAKE_SMI_SCENARIO: 'series' }, (a) => a.length >= 8);
    expect(all.every((s) => s.gpus.length === 1 && s.stale === null)).toBe(true);
    expect(all.at(-1)!.processes.map((p) => p.pid)).toEqual([912, 913]);
    // %SM from the pmon stream, once it has sampled.
    expect(all.at(-1)!.processes.map((p) => p.smPercent)).toEqual([77, null]);
    const calls = invocations(log);
    expect(calls.filter((c) => c.includes('-lms 250'))).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith('pmon -s u -d 1'))).toHaveLength(1);
    // The first one-shot snapshot: GPUs, processes, versions.
    expect(calls.filter((c) => !c.includes('-lms') && !c.startsWith('pmon'))).toHaveLength(3);
  });

  it('streams several GPUs as one snapshot per tick', async () => {
    const all = await collect({ FAKE_SMI_SCENARIO: 'series', FAKE_SMI_GPUS: '4' }, (a) => a.length >= 5);
    expect(all.every((s) => s.gpus.map((g) => g.index).join() === '0,1,2,3')).toBe(true);
  });

  it('a GPU lost mid-stream shows as lost, not as zeros, and the others go on', async () => {
    const all = await collect({ FAKE_SMI_SCENARIO: 'series', FAKE_SMI_GPUS: '3', FAKE_SMI_LOSE_AT: '3' }, (a) => a.some((s) => s.gpus[2]?.lost));
    const last = all.at(-1)!;
    expect(last.gpus.map((g) => g.lost)).toEqual([false, false, true]);
    expect(last.gpus[2]!.utilizationGpu).toBeNull();
    expect(last.gpus[2]!.uuid).toBe(all[0]!.gpus[2]!.uuid);
    expect(all[0]!.gpus[2]!.lost).toBe(false);
  });

  it('restarts a stream that died, and says so meanwhile', async () => {
    const log = logFile();
    const all = await collect({ FAKE_SMI_SCENARIO: 'series', FAKE_SMI_EXIT_AT: '2' }, (a) => {
      const staleAt = a.findIndex((s) => s.stale !== null);
      return staleAt >= 0 && a.slice(staleAt).some((s) => s.stale === null);
    });
    const stale = all.find((s) => s.stale)!.stale!;
    expect(stale.reason).toMatch(/nvidia-smi exited with status 15; restarting in 1 s|nvidia-smi has sent nothing new/);
    expect(invocations(log).filter((c) => c.startsWith('--query-gpu') && c.includes('-lms')).length).toBeGreaterThanOrEqual(2);
  });

  it('kills a stream that stops answering and starts another', async () => {
    const log = logFile();
    const killed = (s: Snapshot) => /stopped answering for \d+ s and was killed; restarting in 1 s/.test(s.stale?.reason ?? '');
    // Until a fresh tick comes from the new process.
    const all = await collect({ FAKE_SMI_SCENARIO: 'series', FAKE_SMI_STALL_AT: '2' }, (a) => a.some(killed) && a.at(-1)!.stale === null, 250);
    expect(all.some((s) => s.stale?.reason === 'nvidia-smi has sent nothing new')).toBe(true);
    expect(invocations(log).filter((c) => c.startsWith('--query-gpu') && c.includes('-lms')).length).toBeGreaterThanOrEqual(2);
  });

  it('processes that end disappear, though nvidia-smi prints nothing for none', async () => {
    const all = await collect(
      { FAKE_SMI_SCENARIO: 'series', FAKE_SMI_APPS_UNTIL: String(Date.now() + 1500) },
      (a) => a.length > 3 && a.at(-1)!.processes.length === 0,
    );
    expect(all[0]!.processes).toHaveLength(2);
    expect(all.at(-1)!.processes).toEqual([]);
  });

  it('with --only, emits only the selected GPUs; a selection matching nothing fails at start', async () => {
    const all = await collect({ FAKE_SMI_SCENARIO: 'series', FAKE_SMI_GPUS: '4' }, (a) => a.length >= 3, 250, ['2']);
    expect(all.every((s) => s.gpus.length === 1 && s.gpus[0]!.index === 2)).toBe(true);
    sampler!.stop();
    sampler = new LiveSampler({ smi: new NvidiaSmi(FAKE_SMI, 10_000), intervalMs: 250, selection: ['7'] });
    await expect(sampler.start()).rejects.toBeInstanceOf(SmiFailure);
  });

  it('fails at start like --once when nvidia-smi cannot be used', async () => {
    process.env.FAKE_SMI_SCENARIO = 'not-loaded';
    sampler = new LiveSampler({ smi: new NvidiaSmi(FAKE_SMI, 10_000), intervalMs: 250, selection: null });
    await expect(sampler.start()).rejects.toMatchObject({ kind: 'driver_not_loaded' });
  });
});
