// A fake nvidia-smi for tests and benchmarks. It answers the queries gpumon
// makes from real output captured on an H100 (fixtures/h100-80gb-hbm3__580.159.04),
// the way the real one does: canonical header names, units unless `nounits`,
// `Field "x" is not a valid field to query.` (exit 2) for unknown fields, and
// the real failure messages and exit statuses.
//
// Environment:
//   FAKE_SMI_SCENARIO  idle (default) | load | series | not-loaded | mismatch |
//                      no-devices | hang | garbage | lost
//   FAKE_SMI_GPUS      number of GPUs (copies of the captured one), default 1
//   FAKE_SMI_APPS      none | load (default for load/series) | odd | many:N | pids:P1,P2,...
//   FAKE_SMI_INVALID   comma-separated fields this "driver" does not know
//   FAKE_SMI_LOG       file to append each invocation's arguments to
//   FAKE_SMI_PIDFILE   (hang) file to append "own-pid child-pid" to
//   FAKE_SMI_APPS_GONE   a file: once it exists, there are no compute processes
//   Stream mode (-lms N / -l N):
//   FAKE_SMI_LOSE_AT   tick after which the last GPU is lost
//   FAKE_SMI_EXIT_AT   tick after which the stream exits (status 15)
//   FAKE_SMI_STALL_AT  tick after which the stream stops printing but lives on
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';

const FIXTURES = new URL('../../fixtures/h100-80gb-hbm3__580.159.04/', import.meta.url);
const read = (name) => readFileSync(new URL(name, FIXTURES), 'utf8');
const env = process.env;
const scenario = env.FAKE_SMI_SCENARIO ?? 'idle';
const args = process.argv.slice(2);
if (env.FAKE_SMI_LOG) appendFileSync(env.FAKE_SMI_LOG, `${args.join(' ')}\n`);

const out = (text) => process.stdout.write(text);
const appsGone = () => env.FAKE_SMI_APPS_GONE !== undefined && existsSync(env.FAKE_SMI_APPS_GONE);
function fail(text, status) {
  out(text);
  process.exit(status);
}

function option(name) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === name) return args[i + 1] ?? '';
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

/** Splits a captured CSV (header + rows) into [headerCells, rowCells[]]. */
function csv(text) {
  const [head, ...rows] = text.trimEnd().split('\n');
  return [head.split(', '), rows.map((r) => r.split(', '))];
}

function main() {
  if (args.includes('--version')) return out(read('version.txt'));
  if (args.includes('-L') || args.includes('--list-gpus')) return out(read('list.txt'));
  if (args[0] === 'pmon') return pmon();
  const gpuQuery = option('--query-gpu');
  const appsQuery = option('--query-compute-apps');
  const format = option('--format') ?? '';
  if (!format.startsWith('csv')) fail('Format modifier is not recognized.\n', 2);
  const noheader = format.includes('noheader');
  const nounits = format.includes('nounits');
  const lms = option('-lms') ?? (option('-l') !== undefined ? String(Number(option('-l')) * 1000) : undefined);
  if (gpuQuery !== undefined) return query(gpuQuery.split(','), gpuTable(), noheader, nounits, lms);
  if (appsQuery !== undefined) return query(appsQuery.split(','), appsTable(), noheader, nounits, lms);
  fail('fake nvidia-smi: only --query-gpu, --query-compute-apps, --version and -L are faked\n', 2);
}

const gpuCount = Number(env.FAKE_SMI_GPUS ?? 1);

/** Turns one captured GPU row into `gpuCount` rows with their own index, UUID and bus id. */
function copies(names, row) {
  return Array.from({ length: gpuCount }, (_, g) =>
    row.map((cell, i) => {
      if (names[i] === 'index') return String(g);
      if (names[i] === 'count') return String(gpuCount);
      if (names[i] === 'uuid') return gpuCount === 1 ? cell : cell.slice(0, -2) + String(g).padStart(2, '0');
      if (names[i] === 'pci.bus_id') return gpuCount === 1 ? cell : `00000000:${(0x18 + g * 0x10).toString(16).toUpperCase().padStart(2, '0')}:00.0`;
      return cell;
    }),
  );
}

/** The --query-gpu table: query names, header cells, and a list of ticks (each a list of GPU rows). */
function gpuTable() {
  const names = read('query-gpu.all.fields.txt').trim().split(',');
  const [header, rows] = csv(read(scenario === 'idle' ? 'query-gpu.idle.csv' : 'query-gpu.series-250ms.csv'));
  // The capture's header gives each query name's canonical printed name.
  let ticks = rows.map((r) => copies(names, r));
  if (scenario === 'load') ticks = [ticks[60]];
  return { names, header, ticks, aliases: GPU_ALIASES };
}

const GPU_ALIASES = { gpu_name: 'name', gpu_uuid: 'uuid', gpu_bus_id: 'pci.bus_id', 'gpu.power.draw.instant': 'power.draw.instant' };

function appsTable() {
  const [header, rows] = csv(read('compute-apps.load.csv'));
  const names = ['timestamp', 'gpu_name', 'gpu_bus_id', 'gpu_serial', 'gpu_uuid', 'pid', 'process_name', 'used_gpu_memory'];
  const kind = env.FAKE_SMI_APPS ?? (scenario === 'idle' ? 'none' : 'load');
  let list = rows;
  const base = rows[0];
  const at = (name) => names.indexOf(name);
  const make = (pid, name, mem) => base.map((c, i) => (i === at('pid') ? String(pid) : i === at('process_name') ? name : i === at('used_gpu_memory') ? mem : c));
  if (kind === 'none' || appsGone()) list = [];
  if (kind === 'odd')
    list = [
      make(4001, 'python3 my train.py', '1024 MiB'),
      make(4002, 'C:\\Program Files\\App, Inc\\app.exe', '[N/A]'),
      make(4003, '[Not Found]', '512 MiB'),
      make(4004, 'weird,name,,with commas', '256 MiB'),
    ];
  if (kind.startsWith('pids:')) list = kind.slice(5).split(',').map((pid, i) => make(Number(pid), 'python3', `${1000 + 10 * i} MiB`));
  if (kind.startsWith('many:')) list = Array.from({ length: Number(kind.slice(5)) }, (_, i) => make(5000 + i, 'python3', `${100 + i} MiB`));
  if (gpuCount > 1)
    list = list.map((r, k) => r.map((c, i) => (i === at('gpu_uuid') ? c.slice(0, -2) + String(k % gpuCount).padStart(2, '0') : c)));
  return { names, header, ticks: [list], aliases: { name: 'process_name', used_memory: 'used_gpu_memory' } };
}

function query(fields, table, noheader, nounits, lms) {
  const invalid = new Set((env.FAKE_SMI_INVALID ?? '').split(',').filter(Boolean));
  const columns = fields.map((f) => {
    const i = table.names.indexOf(table.aliases[f] ?? f);
    if (i === -1 || invalid.has(f)) fail(`Field "${f}" is not a valid field to query.\n\n`, 2);
    return i;
  });
  const unit = (i) => /\[([^\]]+)\]$/.exec(table.header[i])?.[1];
  const cell = (row, i) => {
    const v = row[i] ?? '';
    const u = unit(i);
    return nounits && u && v.endsWith(` ${u}`) ? v.slice(0, -u.length - 1) : v;
  };
  const render = (rows) => rows.map((r) => columns.map((i) => cell(r, i)).join(', ') + '\n').join('');
  if (!noheader) out(columns.map((i) => table.header[i]).join(', ') + '\n');
  if (scenario === 'lost' && table.aliases === GPU_ALIASES) {
    // The last GPU fell off the bus: nvidia-smi prints an error line in its place.
    const rows = table.ticks[0];
    out(render(rows.slice(0, -1)) + lostLine(rows.length - 1));
    process.exit(15);
  }
  if (lms === undefined) return out(render(table.ticks[0]));
  stream(table, render, Number(lms));
}

/** `pmon -s u -d N`: the captured header, then the compute processes' rows every N seconds. */
function pmon() {
  const [h1, h2, ...rows] = read('pmon.load.txt').trimEnd().split('\n');
  const kind = env.FAKE_SMI_APPS ?? (scenario === 'idle' ? 'none' : 'load');
  let body = rows.slice(0, 2);
  if (kind === 'none') body = ['    0          -     -      -      -      -      -      -      -    -'];
  if (kind.startsWith('pids:'))
    body = kind.slice(5).split(',').map((pid, i) => `    0 ${pid.padStart(10)}     C ${String((i * 7) % 100).padStart(6)} ${String(i % 40).padStart(6)}      -      -      -      -    python3`);
  const seconds = Number(option('-d') ?? 1);
  out(`${h1}\n${h2}\n`);
  const emit = () => out(body.join('\n') + '\n');
  emit();
  if (option('-c') === undefined) setInterval(emit, seconds * 1000);
}

function lostLine(g) {
  const bus = gpuCount === 1 ? '00:06' : `${(0x18 + g * 0x10).toString(16).toUpperCase().padStart(2, '0')}:00`;
  return `Unable to determine the device handle for GPU0000:${bus}.0: GPU is lost.  Reboot the system to recover this GPU\n`;
}

function stream(table, render, interval) {
  const loseAt = Number(env.FAKE_SMI_LOSE_AT ?? Infinity);
  const exitAt = Number(env.FAKE_SMI_EXIT_AT ?? Infinity);
  const stallAt = Number(env.FAKE_SMI_STALL_AT ?? Infinity);
  let tick = 0;
  const emit = () => {
    if (tick >= exitAt) process.exit(15);
    const noApps = table.aliases !== GPU_ALIASES && appsGone();
    if (tick < stallAt && !noApps) {
      const rows = table.ticks[tick % table.ticks.length];
      out(tick >= loseAt ? render(rows.slice(0, -1)) + lostLine(rows.length - 1) : render(rows));
    }
    tick++;
  };
  emit();
  setInterval(emit, interval);
}

// Failures that happen whatever was asked.
if (scenario === 'not-loaded')
  fail("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n", 9);
if (scenario === 'mismatch') fail('Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 580.159\n', 18);
if (scenario === 'no-devices') fail('No devices were found\n', 6);
if (scenario === 'hang') {
  // A hung driver call: nvidia-smi and a child of it block forever.
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  if (env.FAKE_SMI_PIDFILE) appendFileSync(env.FAKE_SMI_PIDFILE, `${process.pid} ${child.pid}\n`);
  setInterval(() => {}, 1000);
} else if (scenario === 'garbage') {
  fail('\u0000\u0001 segfault at 0000000000000000 rip 00007f\n<<binary>>\n', 0);
} else {
  main();
}
