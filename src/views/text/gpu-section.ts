import type { GpuResult, GpuResultDevice } from '../../bench/gpu-result.js';
import { fmtFixed, fmtInt, fmtMiB, padEnd, truncate, wrapWords } from '../format.js';
import { summaryRow as row, summaryRule } from './summary-rows.js';

export interface GpuSectionOptions {
  /** Show energy per output token (`bench http`; a command run has no tokens). */
  readonly perToken?: boolean;
  /** Columns available (80 when unknown). */
  readonly columns?: number;
}

const reasonsText = (d: GpuResultDevice) => {
  const reasons = Object.entries(d.clock_event_reasons).map(([r, s]) => `${r} ${fmtFixed(s ?? null, 1)}s`);
  return reasons.length ? reasons.join(', ') : 'none';
};

/** One row per GPU: several GPUs as `label: value` blocks would run to a screen and more. */
function deviceTable(devices: readonly GpuResultDevice[], columns: number): string[] {
  // GPU, utilization avg/peak, peak memory, power avg/peak, energy; the slowdowns take the rest.
  const head = `${'GPU'.padEnd(5)}${'util avg/peak'.padEnd(15)}${'peak mem'.padStart(8)}  ${'power avg/peak W'.padStart(16)}  ${'energy J'.padStart(10)}  `;
  return [
    `${head}slowdowns`,
    ...devices.map((d) => {
      const util = `${fmtInt(d.avg_utilization_percent).padStart(5)}/${fmtInt(d.peak_utilization_percent).padStart(3)} %`;
      const power = `${fmtFixed(d.avg_power_w, 1).padStart(7)}/${fmtFixed(d.peak_power_w, 1).padStart(7)}`;
      const cells = `${String(d.index).padStart(3)}  ${util.padEnd(15)}${fmtMiB(d.peak_memory_used_mib).padStart(8)}  ${power.padStart(16)}  ${fmtFixed(d.energy_j, 1).padStart(10)}  `;
      return padEnd(cells, head.length) + truncate(d.lost ? `LOST; ${reasonsText(d)}` : reasonsText(d), Math.max(4, columns - head.length));
    }),
  ];
}

/**
 * The GPU section under a benchmark summary, in the layout of vLLM's summary
 * (a title rule, then `label: value` lines padded to one column); with
 * several GPUs, the totals and then a table of one row per GPU.
 */
export function renderGpuSection(gpu: GpuResult, opts: GpuSectionOptions = {}): string {
  const columns = opts.columns ?? 80;
  const many = gpu.devices.length > 1;
  const lines = [summaryRule('GPU', '-')];
  lines.push(row(many ? 'Energy, all GPUs (J)' : 'Energy (J)', fmtFixed(gpu.energy_j, 1)));
  if (opts.perToken) lines.push(row('Energy per output token (J)', fmtFixed(gpu.joules_per_output_token, 3)));
  lines.push(row(many ? 'Idle baseline power, all GPUs (W)' : 'Idle baseline power (W)', fmtFixed(gpu.idle_power_w, 1)));
  const [d] = gpu.devices;
  if (many) lines.push(...deviceTable(gpu.devices, columns));
  else if (d) {
    if (d.lost) lines.push(row('State', 'LOST during the run'));
    lines.push(row('Avg / peak utilization (%)', `${fmtInt(d.avg_utilization_percent)} / ${fmtInt(d.peak_utilization_percent)}`));
    lines.push(row('Peak memory used', fmtMiB(d.peak_memory_used_mib)));
    lines.push(row('Avg / peak power (W)', `${fmtFixed(d.avg_power_w, 1)} / ${fmtFixed(d.peak_power_w, 1)}`));
    lines.push(row('Clock event reasons seen', reasonsText(d)));
  }
  lines.push(...wrapWords(`Power read every ${gpu.sample_interval_ms} ms; ${gpu.note}.`, Math.min(columns, 80), ''));
  return `${lines.join('\n')}\n`;
}
