// Derives fixtures/demo/8xh100-derived.csv from the real single-H100 recording:
// eight time-shifted copies of the same 250 ms series, each with its own
// index, UUID and PCI bus id. The values are real H100 readings; the 8-GPU
// machine is not. Run: node scripts/derive-demo.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const src = readFileSync(new URL('fixtures/h100-80gb-hbm3__580.159.04/query-gpu.series-250ms.csv', root), 'utf8');
const [header, ...rows] = src.trimEnd().split('\n');
const cols = header.split(', ');
const at = (name) => cols.indexOf(name);
const [iTime, iIndex, iUuid, iBus, iCount] = ['timestamp', 'index', 'uuid', 'pci.bus_id', 'count'].map(at);

// Keep the columns gpumon reads (both clocks_event_reasons.active columns too:
// the real header repeats it), to keep the demo small.
const KEEP = new Set(['timestamp', 'driver_version', 'count', 'name', 'uuid', 'pci.bus_id', 'index', 'persistence_mode',
  'fan.speed [%]', 'pstate', 'clocks_event_reasons.active', 'memory.total [MiB]', 'memory.used [MiB]', 'memory.free [MiB]',
  'compute_mode', 'utilization.gpu [%]', 'utilization.memory [%]', 'utilization.encoder [%]', 'utilization.decoder [%]',
  'ecc.errors.uncorrected.volatile.total', 'temperature.gpu', 'temperature.memory', 'power.draw [W]', 'power.draw.instant [W]',
  'enforced.power.limit [W]', 'clocks.current.sm [MHz]', 'clocks.current.memory [MHz]', 'clocks.max.sm [MHz]', 'mig.mode.current']);
const kept = cols.map((c, i) => (KEEP.has(c) ? i : -1)).filter((i) => i >= 0);
const pick = (cells) => kept.map((i) => cells[i]).join(', ');

const GPUS = 8;
const SHIFT = 17; // rows (~4.6 s) between neighbouring GPUs' copies
const out = [pick(cols)];
rows.forEach((_, tick) => {
  const time = rows[tick].split(', ')[iTime];
  for (let g = 0; g < GPUS; g++) {
    const cells = rows[(tick + g * SHIFT) % rows.length].split(', ');
    cells[iTime] = time;
    cells[iIndex] = String(g);
    cells[iCount] = String(GPUS);
    cells[iUuid] = cells[iUuid].slice(0, -2) + String(g).padStart(2, '0');
    cells[iBus] = `00000000:${(0x18 + g * 0x10).toString(16).toUpperCase().padStart(2, '0')}:00.0`;
    out.push(pick(cells));
  }
});
writeFileSync(new URL('fixtures/demo/8xh100-derived.csv', root), out.join('\n') + '\n');
console.log(`wrote ${out.length - 1} rows`);
