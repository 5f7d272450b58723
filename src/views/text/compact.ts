import {
  DEFAULT_THRESHOLDS,
  isSevereSlowdown,
  levelOf,
  memoryPercent,
  powerPercent,
  processesOf,
  processShortName,
  shortGpuName,
  slowdowns,
} from '../../model/derive.js';
import type { GpuSample, Snapshot } from '../../model/types.js';
import { displayWidth, fmtClock, fmtInt, NA, padStart } from '../format.js';
import { line, type Seg, seg } from './layout.js';
import type { TextViewOptions } from './snapshot-text.js';

export type CompactOptions = Omit<TextViewOptions, 'width'> & {
  /** Cut lines to this many columns (a terminal); null never cuts (a pipe). */
  readonly width: number | null;
};

function gpuSegs(s: Snapshot, g: GpuSample, nameWidth: number, opts: CompactOptions): Seg[] {
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const deg = opts.ascii ? "'C" : '°C';
  const head = [seg(`[${g.index}] `), seg((shortGpuName(g.name) ?? NA).padEnd(nameWidth), 'bold'), seg(' | ')];
  if (g.lost) return [...head, seg('LOST: nvidia-smi cannot reach this GPU', 'severe')];
  const mem = memoryPercent(g);
  const pwr = powerPercent(g);
  const out: Seg[] = [
    ...head,
    seg(padStart(fmtInt(g.temperatureGpuC, deg), 5), levelOf(g.temperatureGpuC, t.temperature)),
    seg(', '),
    seg(padStart(fmtInt(g.utilizationGpu, ' %'), 5), levelOf(g.utilizationGpu, t.utilization)),
    seg(' | '),
    seg(padStart(fmtInt(g.memoryUsedMiB), 6), levelOf(mem, t.memory)),
    seg(` / ${padStart(fmtInt(g.memoryTotalMiB), 6)} MiB | `),
    seg(padStart(fmtInt(g.powerDrawW), 4), levelOf(pwr, t.power)),
    seg(` / ${padStart(fmtInt(g.powerLimitW), 4)} W |`),
  ];
  const events = slowdowns(g);
  if (events.length) out.push(seg(' '), seg(events.join(','), events.some(isSevereSlowdown) ? 'severe' : 'moderate'), seg(' |'));
  for (const p of processesOf(s.processes, g))
    out.push(seg(` ${p.user ?? '?'}/${processShortName(p) ?? '?'}/${p.pid}(${fmtInt(p.gpuMemoryMiB, 'M')})`));
  return out;
}

/**
 * `gpumon --once --compact`: gpustat's layout, one line per GPU, for scripts
 * and status lines:
 *   [0] H100 80GB HBM3 |  51°C,  99 % |  24191 /  81559 MiB |  710 /  700 W | sw_power_cap | root/python3/912(21610M)
 */
export function renderCompact(s: Snapshot, opts: CompactOptions): string {
  const { painter } = opts;
  const head: Seg[] = [seg(`${s.host.hostname}  ${fmtClock(s.time)}  ${s.driverVersion ?? NA}  CUDA ${s.cudaVersion ?? NA}`, 'bold')];
  if (s.source.kind === 'demo') head.push(seg('  DEMO', 'demo'));
  if (s.stale) head.push(seg(`  STALE: ${s.stale.reason}`, 'stale'));
  const nameWidth = Math.max(0, ...s.gpus.map((g) => (shortGpuName(g.name) ?? NA).length));
  const rows = [head, ...s.gpus.map((g) => gpuSegs(s, g, nameWidth, opts)), ...s.notes.map((n) => [seg(`Note: ${n}`, 'dim')])];
  const render = (segs: Seg[]) => {
    const width = opts.width ?? segs.reduce((n, x) => n + displayWidth(x.text), 0);
    return line(segs, width, painter, opts.ascii).trimEnd();
  };
  return rows.map(render).join('\n') + '\n';
}
