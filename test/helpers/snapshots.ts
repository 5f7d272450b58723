import type { DemoName } from '../../src/sampler/demo.js';
import { demoSnapshot, loadRecording } from '../../src/sampler/demo.js';
import type { GpuProcess, Snapshot } from '../../src/model/types.js';

export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

/** A snapshot of a demo recording `offsetMs` in (20 s is under load). */
export function demoAt(name: DemoName, offsetMs = 20_000, time = T0): Snapshot {
  return demoSnapshot(loadRecording(name), offsetMs, time);
}

/**
 * The snapshot with `perGpu` made-up processes on each of its GPUs, from the
 * recording's first real process, with PIDs, CPU and times that vary by `seed`.
 */
export function withProcesses(s: Snapshot, perGpu: number, seed = 0): Snapshot {
  const base = s.processes[0]!;
  const users = ['alice', 'bob', 'carol', 'dave'];
  const processes: GpuProcess[] = s.gpus.flatMap((g) =>
    Array.from({ length: perGpu }, (_, k) => ({
      ...base,
      pid: 10_000 + g.index * 1000 + k,
      gpuUuid: g.uuid,
      gpuIndex: g.index,
      user: users[k % users.length]!,
      gpuMemoryMiB: 100 + ((k * 37) % 900),
      cpuPercent: (k * 7 + seed) % 100,
      elapsedSeconds: 100 + k + seed,
      argv: ['python3', `worker_${g.index}_${k}.py`],
    })),
  );
  return { ...s, processes };
}

/** `n` snapshots of the 8-GPU recording one second apart, with `perGpu` processes on the first `gpus` GPUs. */
export function snapshotSeries(gpus: number, perGpu: number, n: number): Snapshot[] {
  const rec = loadRecording('8xh100');
  return Array.from({ length: n }, (_, i) => {
    const s = demoSnapshot(rec, 15_000 + i * 1000, T0 + i * 1000);
    return withProcesses({ ...s, gpus: s.gpus.slice(0, gpus) }, perGpu, i);
  });
}
