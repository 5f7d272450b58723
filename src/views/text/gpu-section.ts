import type { GpuResult } from '../../bench/gpu-result.js';
import { fmtFixed, fmtInt, fmtMiB } from '../format.js';
import { summaryRow as row, summaryRule } from './summary-rows.js';

/**
 * The GPU section under a benchmark summary, in the layout of vLLM's summary
 * (a title rule, then `label: value` lines padded to one column), one block
 * per GPU when there are several.
 */
export function renderGpuSection(gpu: GpuResult, width = 50): string {
  const lines = [summaryRule('GPU', '-', width)];
  lines.push(row('Energy (J)', fmtFixed(gpu.energy_j, 1)));
  lines.push(row('Energy per output token (J)', fmtFixed(gpu.joules_per_output_token, 3)));
  lines.push(row('Idle baseline power (W)', fmtFixed(gpu.idle_power_w, 1)));
  for (const d of gpu.devices) {
    const who = gpu.devices.length > 1 ? `GPU ${d.index} ` : '';
    if (d.lost) lines.push(row(`${who}state`, 'LOST during the run'));
    lines.push(row(`${who}Avg / peak utilization (%)`, `${fmtInt(d.avg_utilization_percent)} / ${fmtInt(d.peak_utilization_percent)}`));
    lines.push(row(`${who}Peak memory used`, fmtMiB(d.peak_memory_used_mib)));
    lines.push(row(`${who}Avg / peak power (W)`, `${fmtFixed(d.avg_power_w, 1)} / ${fmtFixed(d.peak_power_w, 1)}`));
    const reasons = Object.entries(d.clock_event_reasons).map(([r, s]) => `${r} ${fmtFixed(s ?? null, 1)}s`);
    lines.push(row(`${who}Clock event reasons seen`, reasons.length ? reasons.join(', ') : 'none'));
  }
  lines.push(`Power sampled every ${gpu.sample_interval_ms} ms; ${gpu.note}.`);
  return `${lines.join('\n')}\n`;
}
