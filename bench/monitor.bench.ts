// Issue 3: the monitor's frame time, CPU, memory and terminal bytes.
import { snapshotSeries } from '../test/helpers/snapshots.js';
import { table } from './lib.js';
import { timeFrames } from './monitor-frame.js';

console.log('### Frame time (in-process render of one snapshot into the diffing screen)\n');
const rows: (string | number)[][] = [];
for (const [label, gpus, perGpu, cols, lines] of [
  ['8 GPUs, 200 processes, 120x40', 8, 25, 120, 40],
  ['4 GPUs, 50 processes, 120x40', 4, 13, 120, 40],
  ['4 GPUs, 50 processes, 80x10', 4, 13, 80, 10],
] as const) {
  const t = await timeFrames(snapshotSeries(gpus, perGpu, 60), cols, lines);
  rows.push([label, t.medianMs, t.p90Ms, t.bytesPerFrame]);
}
table(['screen', 'median ms', 'p90 ms', 'bytes to the terminal per frame'], rows);
console.log('\nTarget: under 10 ms a frame for 8 GPUs with 200 processes.');
process.exit(0);
