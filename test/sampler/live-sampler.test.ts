import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../src/model/types.js';
import { LiveSampler } from '../../src/sampler/live-sampler.js';
import { GPU_FORMAT, NvidiaSmi } from '../../src/sampler/nvidia-smi/client.js';
import { COMPUTE_APPS_QUERY, type ComputeAppsResult, parseComputeAppsCsv } from '../../src/sampler/nvidia-smi/compute-apps.js';
import { SmiFailure } from '../../src/sampler/nvidia-smi/failure.js';
import type { StreamHandlers } from '../../src/sampler/nvidia-smi/stream.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FAKE_SMI, h100 } from '../helpers/fixtures.js';
import { settles, waitFor } from '../helpers/wait.js';

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
  // A deadline under vitest's, for a message: what came instead.
  const got = () => all.map((s) => `${s.gpus.length} GPUs, ${s.processes.length} processes${s.stale ? `, stale: ${s.stale.reason}` : ''}`).join('\n');
  await settles(finished, 'the snapshots the test waits for', { deadlineMs: 25_000, got });
  return all;
}

describe('LiveSampler on the fake nvidia-smi', () => {
  it('streams: two long-lived processes after the first query, not a spawn per tick', async () => {
    const log = logFile();
    const fresh = (a: readonly Snapshot[]) => a.filter((s) => s.stale === null);
    // Eight ticks from the stream, the last with %SM from the pmon stream (once it has sampled). A machine slow
    // to start the streams may see a snapshot marked stale meanwhile (nothing new for 2.5 intervals): that is no tick.
    const all = await collect({ FAKE_SMI_SCENARIO: 'series' }, (a) => fresh(a).length >= 8 && a.at(-1)!.stale === null && a.at(-1)!.processes.some((p) => p.smPercent !== null));
    expect(all.every((s) => s.gpus.length === 1)).toBe(true);
    expect(all.at(-1)!.processes.map((p) => p.pid)).toEqual([912, 913]);
    expect(all.at(-1)!.processes.map((p) => p.smPercent)).toEqual([77, null]);
    // Both streams have started (each logs as it starts); no stream was started twice.
    await waitFor(() => invocations(log).filter((c) => c.includes('-lms 250')).length >= 2, 'both streams in the log', { got: () => readFileSync(log, 'utf8') });
    const calls = invocations(log);
    expect(calls.filter((c) => c.includes('-lms 250'))).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith('pmon -s u -d 1'))).toHaveLength(1);
    // The first one-shot snapshot: GPUs, processes, versions. The processes are asked again only to check a
    // silence of their stream (a machine slow to start it), not per tick.
    const oneShots = calls.filter((c) => !c.includes('-lms') && !c.startsWith('pmon'));
    const appsAsked = oneShots.filter((c) => c.startsWith('--query-compute-apps=')).length;
    expect(oneShots.filter((c) => c.startsWith('--query-gpu='))).toHaveLength(1);
    expect(oneShots.filter((c) => c === '--version')).toHaveLength(1);
    expect(appsAsked).toBeGreaterThanOrEqual(1);
    expect(appsAsked).toBeLessThan(fresh(all).length / 2);
    expect(oneShots).toHaveLength(2 + appsAsked);
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
    const gone = join(mkdtempSync(join(tmpdir(), 'gpumon-')), 'apps-gone');
    // The processes end after three ticks that show them.
    const all = await collect({ FAKE_SMI_SCENARIO: 'series', FAKE_SMI_APPS_GONE: gone }, (a) => {
      if (a.filter((s) => s.processes.length === 2).length === 3) writeFileSync(gone, '');
      return existsSync(gone) && a.at(-1)!.processes.length === 0;
    });
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

describe('LiveSampler on recorded stream lines, on a fake clock', () => {
  const INTERVAL = 1000;
  // Two GPUs under load: the fake prints the captured H100 rows in the format the sampler asks for, one per GPU.
  const ENV = { FAKE_SMI_SCENARIO: 'load', FAKE_SMI_GPUS: '2' };
  const printed = (args: readonly string[]) => execFileSync(FAKE_SMI, args, { env: { ...process.env, ...ENV }, encoding: 'utf8' }).trimEnd().split('\n');
  const gpuLines = printed(new NvidiaSmi(FAKE_SMI, 10_000).gpuQueryArgs());
  const appsLines = printed([`--query-compute-apps=${COMPUTE_APPS_QUERY}`, GPU_FORMAT]);
  // `pmon -c 3` as captured: two header lines, then pids 912 and 913 three times.
  const pmonLines = h100('pmon.load.txt').trimEnd().split('\n');
  const noApps = parseComputeAppsCsv(h100('compute-apps.idle.csv'), { header: true });
  /** Lets a resolved one-shot answer reach the sampler. */
  const answered = () => new Promise((r) => setImmediate(r));

  interface FedStream {
    readonly args: string;
    readonly handlers: StreamHandlers;
    running: boolean;
  }

  /** A started sampler whose streams are fed by the test and whose clock moves only when told. */
  async function fed() {
    Object.assign(process.env, ENV);
    const smi = new NvidiaSmi(FAKE_SMI, 10_000);
    const clock = new FakeClock();
    const streams: FedStream[] = [];
    sampler = new LiveSampler({
      smi,
      intervalMs: INTERVAL,
      selection: null,
      clock,
      openStream: (args, handlers) => {
        const s = { args: args().join(' '), handlers, running: false, start: () => void (s.running = true), stop: () => void (s.running = false) };
        streams.push(s);
        return s;
      },
    });
    const seen: Snapshot[] = [];
    sampler.subscribe((s) => seen.push(s));
    await sampler.start();
    const stream = (prefix: string) => streams.find((s) => s.args.startsWith(prefix))!;
    const feed = (prefix: string) => (lines: readonly string[]) => lines.forEach((l) => stream(prefix).handlers.line(l));
    const oneShots = vi.spyOn(smi, 'queryComputeApps').mockResolvedValue(noApps);
    return { clock, seen, streams, stream, oneShots, gpu: feed('--query-gpu'), apps: feed('--query-compute-apps'), pmon: feed('pmon') };
  }

  it('opens the three streams with the interval, after the one-shot snapshot', async () => {
    const { seen, streams } = await fed();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.processes.map((p) => p.pid)).toEqual([912, 913]);
    expect(streams.map((s) => [s.args.split(' ')[0]!.split('=')[0], s.args.split(' ').at(-1), s.running])).toEqual([
      ['--query-gpu', '1000', true],
      ['--query-compute-apps', '1000', true],
      ['pmon', '1', true],
    ]);
  });

  it('a tick is one snapshot once every GPU has its row, or once its rows stop coming for 40 ms', async () => {
    const { clock, seen, gpu } = await fed();
    gpu(gpuLines.slice(0, 1));
    clock.advance(30);
    expect(seen).toHaveLength(1);
    gpu(gpuLines.slice(1));
    expect(seen).toHaveLength(2);
    expect(seen[1]!.gpus.map((g) => [g.index, g.lost, g.utilizationGpu])).toEqual([
      [0, false, 99],
      [1, false, 99],
    ]);
    // GPU 1 missing: the tick settles after a quiet 40 ms, with GPU 1 lost (not zeros).
    gpu(gpuLines.slice(0, 1));
    clock.advance(39);
    expect(seen).toHaveLength(2);
    clock.advance(1);
    expect(seen).toHaveLength(3);
    expect(seen[2]!.gpus.map((g) => [g.index, g.lost])).toEqual([
      [0, false],
      [1, true],
    ]);
    // A GPU seen twice begins the next tick: the one before is complete at once.
    gpu([gpuLines[0]!, gpuLines[0]!]);
    expect(seen).toHaveLength(4);
    gpu(gpuLines.slice(1));
    expect(seen).toHaveLength(5);
    expect(seen[4]!.gpus.map((g) => g.lost)).toEqual([false, false]);
  });

  it('the process list follows the compute-apps stream, %SM the pmon stream, each once its burst settles', async () => {
    const { clock, seen, gpu, apps, pmon, oneShots } = await fed();
    apps(appsLines.slice(0, 1));
    gpu(gpuLines);
    expect(seen.at(-1)!.processes.map((p) => p.pid)).toEqual([912, 913]);
    clock.advance(40);
    gpu(gpuLines);
    expect(seen.at(-1)!.processes.map((p) => [p.pid, p.smPercent])).toEqual([[912, null]]);
    // The header, then the first sample of both processes.
    pmon(pmonLines.slice(0, 4));
    clock.advance(40);
    apps(appsLines);
    clock.advance(40);
    gpu(gpuLines);
    expect(seen.at(-1)!.processes.map((p) => [p.pid, p.gpuIndex, p.smPercent])).toEqual([
      [912, 0, 77],
      [913, 1, null],
    ]);
    pmon(pmonLines.slice(4, 6));
    clock.advance(40);
    gpu(gpuLines);
    expect(seen.at(-1)!.processes.map((p) => p.smPercent)).toEqual([98, null]);
    expect(oneShots).not.toHaveBeenCalled();
  });

  it('silence on the process stream is settled by one one-shot query, then again every 30 s while it lasts', async () => {
    const { clock, seen, gpu, apps, oneShots } = await fed();
    const tickAfter = async (ms: number) => {
      clock.advance(ms);
      gpu(gpuLines);
      await answered();
    };
    const pids = () => seen.at(-1)!.processes.map((p) => p.pid);
    // Silent for more than 1.5 intervals + 250 ms: the next tick asks once, and the answer (no processes) is taken.
    await tickAfter(1000);
    await tickAfter(750);
    expect(oneShots).toHaveBeenCalledTimes(0);
    await tickAfter(1);
    expect(oneShots).toHaveBeenCalledTimes(1);
    expect(pids()).toEqual([912, 913]);
    await tickAfter(1000);
    expect(pids()).toEqual([]);
    // Still silent: asked again only once more than 30 s have passed since.
    for (let t = 1000; t < 30_000; t += 1000) await tickAfter(1000);
    expect(oneShots).toHaveBeenCalledTimes(1);
    await tickAfter(1);
    expect(oneShots).toHaveBeenCalledTimes(2);
    // The stream talks again: it is followed, and its next silence is checked at once.
    apps(appsLines);
    await tickAfter(40);
    expect(pids()).toEqual([912, 913]);
    await tickAfter(1000);
    expect(oneShots).toHaveBeenCalledTimes(2);
    await tickAfter(1000);
    expect(oneShots).toHaveBeenCalledTimes(3);
  });

  it('a one-shot answer older than rows that streamed in meanwhile is dropped', async () => {
    const { clock, seen, gpu, apps, oneShots } = await fed();
    let answer: (r: ComputeAppsResult) => void = () => {};
    oneShots.mockReturnValueOnce(new Promise((r) => (answer = r)));
    clock.advance(2000);
    gpu(gpuLines);
    expect(oneShots).toHaveBeenCalledTimes(1);
    apps(appsLines.slice(1));
    clock.advance(40 + 500);
    answer(noApps);
    await answered();
    gpu(gpuLines);
    expect(seen.at(-1)!.processes.map((p) => p.pid)).toEqual([913]);
  });

  it('when the GPU stream stalls, the GPUs as last seen are stale (with the stream\'s trouble once it has some), until the next tick', async () => {
    const { clock, seen, gpu, stream } = await fed();
    const start = clock.now();
    clock.advance(1500);
    gpu(gpuLines);
    const ticks = seen.length;
    // Checked every interval (at 2, 3 and 4 s): stale once 2.5 intervals have passed without a tick.
    clock.advance(2499);
    expect(seen).toHaveLength(ticks);
    clock.advance(1);
    expect(seen).toHaveLength(ticks + 1);
    expect(seen.at(-1)!.stale).toEqual({ since: start + 1500, reason: 'nvidia-smi has sent nothing new' });
    expect(seen.at(-1)!.gpus).toEqual(seen[ticks - 1]!.gpus);
    stream('--query-gpu').handlers.trouble('nvidia-smi exited with status 15; restarting in 1 s');
    clock.advance(1000);
    expect(seen.at(-1)!.stale).toEqual({ since: start + 1500, reason: 'nvidia-smi exited with status 15; restarting in 1 s' });
    gpu(gpuLines);
    expect(seen.at(-1)!.stale).toBeNull();
    clock.advance(1000);
    expect(seen.at(-1)!.stale).toBeNull();
  });

  it('keeps no timer that holds the process alive, and stop() leaves no timer and no stream behind', async () => {
    const { clock, seen, streams, gpu, apps, pmon } = await fed();
    gpu(gpuLines.slice(0, 1));
    apps(appsLines);
    pmon(pmonLines);
    // The stale check and a burst waiting on each stream.
    expect(clock.pending()).toEqual({ all: 4, keepingAlive: 0 });
    sampler!.stop();
    expect(clock.pending()).toEqual({ all: 0, keepingAlive: 0 });
    expect(streams.map((s) => s.running)).toEqual([false, false, false]);
    // A line that was on its way as the stream was killed starts nothing.
    const count = seen.length;
    streams.forEach((s) => s.handlers.line(gpuLines[0]!));
    streams[0]!.handlers.ended('', 143);
    expect(clock.pending().all).toBe(0);
    clock.advance(60_000);
    expect(seen).toHaveLength(count);
  });
});
