// Issue 3: the monitor's frame time, CPU, memory and terminal bytes.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuHistory } from '../src/model/history.js';
import { SnapshotStore } from '../src/model/store.js';
import { snapshotSeries } from '../test/helpers/snapshots.js';
import { CLI, FAKE_SMI, fmt, processCpuSeconds, processPeakRss, table } from './lib.js';
import { timeFrames } from './monitor-frame.js';

const LIVE_SECONDS = Number(process.env.BENCH_MONITOR_SECONDS ?? 60);

console.log('### Frame time (in-process render of one snapshot into the diffing screen)\n');
const rows: (string | number)[][] = [];
for (const [label, gpus, perGpu, cols, lines] of [
  ['8 GPUs, 200 processes, 120x40', 8, 25, 120, 40],
  ['4 GPUs, 50 processes, 120x40', 4, 13, 120, 40],
  ['4 GPUs, 50 processes, 80x10', 4, 13, 80, 10],
] as const) {
  const series = snapshotSeries(gpus, perGpu, 60);
  const t = await timeFrames(series, cols, lines);
  const ink = await timeFrames(series, cols, lines, 5, false);
  rows.push([label, t.medianMs, t.p90Ms, t.bytesPerFrame, ink.medianMs]);
}
table(['screen', 'median ms', 'p90 ms', 'bytes to the terminal per frame', "median ms through Ink's text output"], rows);
console.log("\nTarget: under 10 ms a frame for 8 GPUs with 200 processes. The last column renders the same frames as Ink <Text> (Ink's own output path), the way the tests see them.");

console.log(`\n### The monitor live in a 120x40 tmux terminal, ${LIVE_SECONDS} s at a 1 s interval\n`);

interface Live {
  readonly cpu: number;
  readonly peak: number;
  readonly bytesPerSecond: number;
  readonly rssAt: readonly number[];
  /** CPU seconds of the helper processes named by `helpers` (a pgrep -f pattern), in all. */
  readonly helperCpu: number;
}

/** Runs the monitor in a 120x40 tmux pane for LIVE_SECONDS (after 5 s of start-up) and measures it. */
async function liveInTmux(env: readonly string[], args: readonly string[], helpers?: string): Promise<Live> {
  const socket = `gpumon-bench-${process.pid}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'gpumon-bench-'));
  tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '40', `exec env GPUMON_CONFIG_DIR=${dir} TERM=xterm-256color ${env.join(' ')} ${process.execPath} ${CLI} ${args.join(' ')}`);
  tmux('pipe-pane', '-o', '-t', 'mon', `cat >> ${dir}/bytes`);
  const pid = Number(tmux('display', '-p', '-t', 'mon', '#{pane_pid}').trim());
  await new Promise((r) => setTimeout(r, 5000));
  const cpu0 = processCpuSeconds(pid);
  const bytes0 = statSync(`${dir}/bytes`).size;
  const rssAt: number[] = [];
  for (let t = 0; t < LIVE_SECONDS; t += 10) {
    await new Promise((r) => setTimeout(r, 10_000));
    rssAt.push(processPeakRss(pid));
  }
  const live = {
    cpu: (processCpuSeconds(pid) - cpu0) / LIVE_SECONDS,
    bytesPerSecond: (statSync(`${dir}/bytes`).size - bytes0) / LIVE_SECONDS,
    peak: processPeakRss(pid),
    rssAt,
    helperCpu: helpers ? execFileSync('pgrep', ['-f', helpers], { encoding: 'utf8' }).trim().split('\n').map(Number).reduce((n, p) => n + processCpuSeconds(p), 0) : 0,
  };
  tmux('kill-server');
  return live;
}

const sleepers = Array.from({ length: 50 }, () => spawn('sleep', [String(2 * LIVE_SECONDS + 60)], { stdio: 'ignore' }));
const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const idle0 = processCpuSeconds(idle.pid!);
const fake = await liveInTmux(
  [`GPUMON_NVIDIA_SMI=${FAKE_SMI}`, 'FAKE_SMI_SCENARIO=series', 'FAKE_SMI_GPUS=4', `FAKE_SMI_APPS=pids:${sleepers.map((c) => c.pid).join(',')}`],
  ['--interval', '1'],
  'fake-nvidia-smi.mjs',
);
for (const c of sleepers) c.kill();
// nvitop's own screen: the recorded H100 (1 GPU, 2 processes) replayed, under load and idle as recorded.
const h100 = await liveInTmux([], ['--demo', 'h100', '--interval', '1']);
const idleCpu = (processCpuSeconds(idle.pid!) - idle0) / (2 * LIVE_SECONDS + 10);
const idlePeak = processPeakRss(idle.pid!);
idle.kill();
const row = (label: string, l: Live) => [label, `${fmt(l.cpu * 100)}%`, fmt(l.peak / 1e6), fmt(l.bytesPerSecond)];
table(
  ['process', 'CPU (% of one core)', 'peak RSS (MB)', 'bytes to the terminal per second'],
  [
    row('gpumon monitor, 4 GPUs, 50 processes (fake nvidia-smi)', fake),
    row('gpumon monitor, 1 H100, 2 processes (--demo h100: the screen nvitop was measured on)', h100),
    ["node -e 'setInterval(...)' (idle Node, same time)", `${fmt(idleCpu * 100)}%`, fmt(idlePeak / 1e6), '-'],
    ['nvitop 1.7.0 on the H100, 1 GPU, 2 processes (timings.txt)', '5.3%', '57', '377'],
  ],
);
console.log(`\nTargets: under 1.5% of one core, under 85 MB, no more bytes than nvitop. Peak RSS every 10 s (4 GPUs): ${fake.rssAt.map((b) => fmt(b / 1e6)).join(', ')} MB.`);
console.log(`The fake nvidia-smi streams (Node stand-ins for query-gpu, compute-apps and pmon) used ${fmt(fake.helperCpu)} CPU s in all; a real nvidia-smi -lms 1000 stream costs 0.33% of a core (timings.txt).`);

console.log('\n### History stays bounded: heap after GC while 8 GPUs of snapshots are pushed\n');
const snaps = snapshotSeries(8, 25, 50);
const store = new SnapshotStore(snaps[0]!, new GpuHistory());
const heap: (string | number)[][] = [];
const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 1; i <= 36_000; i++) {
  store.push(snaps[i % snaps.length]!);
  if (i === 600 || i === 3600 || i === 36_000) {
    gc?.();
    heap.push([`${i} samples (${fmt(i / 3600)} h at 1 s)`, fmt(process.memoryUsage().heapUsed / 1e6)]);
  }
}
table(['after', 'heap used (MB)'], heap);
process.exit(0);
