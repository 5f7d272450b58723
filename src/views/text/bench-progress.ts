import type { BenchProgress } from '../../bench/live-stats.js';
import { fmtFixed, fmtInt } from '../format.js';

const PHASE: Record<BenchProgress['phase'], string> = {
  starting: 'starting',
  baseline: 'measuring idle GPU power',
  warmup: 'warming up',
  running: 'running',
  finished: 'finished',
  interrupted: 'interrupted',
  failed: 'failed',
};

/** How far the iteration is: `120/1000` requests, or seconds against the duration. */
export function progressCount(p: BenchProgress): string {
  if (p.target !== null) return `${p.completed + p.failed}/${p.target}`;
  return `${fmtFixed(p.elapsedS, 0)}/${fmtFixed(p.durationS, 0)} s`;
}

/** The one-line progress `gpumon bench http` prints to stderr. */
export function progressLine(p: BenchProgress): string {
  if (p.phase !== 'running') return `bench http: ${PHASE[p.phase]}${p.model ? ` (${p.model})` : ''}`;
  const it = p.iterations > 1 ? ` iteration ${p.iteration}/${p.iterations}` : '';
  const lat = p.ttftMs ? `, TTFT p50 ${fmtInt(p.ttftMs.p50)} ms` : '';
  const itl = p.itlMs ? `, ITL p50 ${fmtFixed(p.itlMs.p50, 1)} ms` : '';
  return (
    `bench http${it} ${fmtFixed(p.elapsedS, 1)}s: ${progressCount(p)} done, ${p.failed} failed, ${p.inFlight} in flight, ` +
    `${fmtFixed(p.requestsPerS, 1)} req/s, ${fmtInt(p.outputTokensPerS)} tok/s${lat}${itl}`
  );
}
