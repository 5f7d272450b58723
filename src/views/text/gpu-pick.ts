import type { PickCriteria, Unfit, Verdict } from '../../model/gpu-pick.js';
import { fmtMiB, fmtMiBPair, NA } from '../format.js';

/** `gpumon select` and `gpumon wait`: why a GPU does not qualify, what `wait` waits for, `select --json`. */

const seconds = (ms: number) => `${Math.floor(ms / 1000)}s`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 'es'}`;

export function unfitText(u: Unfit): string {
  switch (u.kind) {
    case 'lost':
      return 'lost (nvidia-smi cannot reach it)';
    case 'stale':
      return `no fresh data (${u.reason})`;
    case 'unknown':
      return `${u.what} ${u.reason ? u.reason.replace(/_/g, ' ') : NA}`;
    case 'memory':
      return `${fmtMiBPair(u.usedMiB, u.totalMiB)} used (${fmtMiB(u.freeMiB)} free, ${fmtMiB(u.minFreeMiB)} wanted)`;
    case 'utilization':
      return `${u.percent}% busy`;
    case 'processes':
      return plural(u.count, 'process');
    case 'taken':
      return `taken by gpumon wait (pid ${u.pid}${u.command ? `: ${u.command}` : ''})`;
    case 'settling':
      return `free for ${seconds(u.freeForMs)} of ${seconds(u.settleMs)}`;
  }
}

/** `GPU 3: 71.2/79.6 GiB used (8.40GiB free, 20.00GiB wanted), 3 processes`. */
export function verdictLine(v: Verdict): string {
  return `GPU ${v.gpu.index}: ${v.unfit.length ? v.unfit.map(unfitText).join(', ') : 'free'}`;
}

/** One line per GPU that does not qualify, by index: what goes under a failure's headline. */
export function unfitLines(verdicts: readonly Verdict[]): string {
  return [...verdicts].filter((v) => v.unfit.length).sort((a, b) => a.gpu.index - b.gpu.index).map(verdictLine).join('\n');
}

/** What makes a GPU free here, in words: `no processes, at most 10% busy, 20.00GiB free`. */
export function criteriaText(c: PickCriteria, settleMs: number | null = null): string {
  const parts: string[] = [];
  if (c.maxProcesses !== null) parts.push(c.maxProcesses === 0 ? 'no processes' : `at most ${plural(c.maxProcesses, 'process')}`);
  if (c.maxUtilPercent !== null) parts.push(`at most ${c.maxUtilPercent}% busy`);
  if (c.minFreeMiB !== null) parts.push(`${fmtMiB(c.minFreeMiB)} free`);
  if (settleMs) parts.push(`for ${seconds(settleMs)}`);
  return parts.join(', ') || 'any';
}

/** Too few GPUs qualify: the headline (each GPU's line comes under it). */
export function tooFewText(verdicts: readonly Verdict[], c: PickCriteria): string {
  const n = verdicts.filter((v) => v.unfit.length === 0).length;
  return `${n} of ${verdicts.length} GPUs ${n === 1 ? 'qualifies' : 'qualify'} (${criteriaText(c)}); ${c.count} wanted`;
}

/**
 * `wait`'s progress: how many are ready and each GPU's state. `key` leaves
 * out what changes every sample (times, percentages), so that a log gets a
 * line only when something happens.
 */
export function waitProgress(verdicts: readonly Verdict[], c: PickCriteria): { text: string; key: string } {
  const ready = verdicts.filter((v) => v.unfit.length === 0).length;
  const byIndex = [...verdicts].sort((a, b) => a.gpu.index - b.gpu.index);
  return {
    text: `${ready} of ${c.count} ready; ${byIndex.map(verdictLine).join('; ')}`,
    key: byIndex.map((v) => `${v.gpu.index}:${v.unfit.map((u) => u.kind).join(',')}`).join(' '),
  };
}

/** `select --json`: every GPU judged, best first, and what was chosen. */
export function pickJson(verdicts: readonly Verdict[], chosen: readonly string[], devices: string): string {
  const gpus = verdicts.map((v) => ({
    index: v.gpu.index,
    uuid: v.gpu.uuid,
    name: v.gpu.name,
    'memory.free': v.gpu.memoryFreeMiB,
    'memory.total': v.gpu.memoryTotalMiB,
    'utilization.gpu': v.gpu.utilizationGpu,
    processes: v.processes,
    qualifies: v.unfit.length === 0,
    selected: chosen.includes(v.gpu.uuid),
    reasons: v.unfit.map((u) => ({ kind: u.kind, message: unfitText(u) })),
  }));
  return `${JSON.stringify({ cuda_visible_devices: chosen.length ? devices : null, gpus }, null, 2)}\n`;
}
