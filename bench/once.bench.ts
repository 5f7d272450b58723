// Issue 2: start-up of `gpumon --once`, CPU per sample in stream mode, and the
// cost of gpumon's /proc reader against systeminformation.
import { spawn } from 'node:child_process';
import si from 'systeminformation';
import { HostReader } from '../src/sampler/host/proc-host.js';
import { ProcessReader } from '../src/sampler/host/proc-processes.js';
import { LiveSampler } from '../src/sampler/live-sampler.js';
import { NvidiaSmi } from '../src/sampler/nvidia-smi/client.js';
import { sampleOnce } from '../src/sampler/sample-once.js';
import { CLI, FAKE_SMI, fmt, selfAndChildrenCpuMs, table, timeCommands } from './lib.js';

const node = process.execPath;
const fake = { GPUMON_NVIDIA_SMI: FAKE_SMI, FAKE_SMI_SCENARIO: 'load' };

console.log('### Start-up: wall time, interleaved runs (ms)\n');
const t = timeCommands(
  [
    { name: 'node -e 0', cmd: node, args: ['-e', '0'] },
    { name: 'fake nvidia-smi, one query', cmd: FAKE_SMI, args: ['--query-gpu=index,uuid', '--format=csv'], env: fake },
    { name: 'gpumon --version', cmd: node, args: [CLI, '--version'] },
    { name: 'gpumon --demo h100 --once', cmd: node, args: [CLI, '--demo', 'h100', '--once'] },
    { name: 'gpumon --demo --once (8 GPUs)', cmd: node, args: [CLI, '--demo', '--once'] },
    { name: 'gpumon --demo --once --json', cmd: node, args: [CLI, '--demo', '--once', '--json'] },
    { name: 'gpumon --once (fake nvidia-smi)', cmd: node, args: [CLI, '--once'], env: fake },
  ],
  15,
);
table(
  ['command', 'median', 'min', 'p90'],
  t.map((x) => [x.name, x.medianMs, x.minMs, x.p90Ms]),
);
const med = (name: string) => t.find((x) => x.name === name)!.medianMs;
console.log(`\ngpumon --demo --once over node's own start-up: ${fmt(med('gpumon --demo --once (8 GPUs)') - med('node -e 0'))} ms (target: within 150 ms; nvitop --once took 360 ms on the H100)`);
console.log(
  `gpumon --once (fake) over node + one fake query: ${fmt(med('gpumon --once (fake nvidia-smi)') - med('node -e 0') - med('fake nvidia-smi, one query'))} ms ` +
    `(the fake is itself a Node process, ~${fmt(med('fake nvidia-smi, one query'))} ms; gpumon runs three at once, on ${(await import('node:os')).availableParallelism()} cores here; a real nvidia-smi query takes ~30 ms)`,
);

console.log('\n### CPU per sample: one stream vs a spawn per sample (4 GPUs, 50 processes)\n');
Object.assign(process.env, { FAKE_SMI_SCENARIO: 'series', FAKE_SMI_GPUS: '4', FAKE_SMI_APPS: 'many:50' });
const smi = new NvidiaSmi(FAKE_SMI, 10_000);
const intervalMs = 100;
const sampler = new LiveSampler({ smi, intervalMs, selection: null });
await sampler.start();
await new Promise((r) => setTimeout(r, 1000));
let samples = 0;
sampler.subscribe(() => samples++);
const before = process.cpuUsage();
const streamSeconds = 8;
await new Promise((r) => setTimeout(r, streamSeconds * 1000));
const used = process.cpuUsage(before);
sampler.stop();
const streamMsPerSample = (used.user + used.system) / 1000 / samples;

let oneShots = 0;
const spawnBefore = process.cpuUsage();

const oneShotStart = Date.now();
while (Date.now() - oneShotStart < 4000) {
  await sampleOnce(smi);
  oneShots++;
}
const spawnUsed = process.cpuUsage(spawnBefore);
const spawnMsPerSample = (spawnUsed.user + spawnUsed.system) / 1000 / oneShots;

table(
  ['mode', 'samples', 'gpumon CPU ms / sample', 'at a 1 s interval'],
  [
    [`stream (-lms ${intervalMs}), ${streamSeconds} s`, samples, streamMsPerSample, `${fmt(streamMsPerSample / 10)}% of a core`],
    ['spawn per sample (3 nvidia-smi runs)', oneShots, spawnMsPerSample, `${fmt(spawnMsPerSample / 10)}% of a core + the spawns`],
  ],
);
console.log(
  `\nThe stream also saves the nvidia-smi spawns themselves: ~30 ms wall and ~50 ms CPU for the GPU and process queries on the H100 (timings.txt), against 0.33% of a core for a long-lived stream.`,
);

console.log('\n### Host and process data per sample: /proc reader vs systeminformation\n');
// systeminformation answers repeated calls from a cache, so both are sampled
// as a monitor would: once a second, counting the CPU of the children they spawn.
const children = Array.from({ length: 50 }, () => spawn('sleep', ['120'], { stdio: 'ignore' }));
const pids = children.map((c) => c.pid!);
const host = new HostReader();
const procs = new ProcessReader();
const mem = host.sample().memoryTotalBytes;
const SAMPLES = 6;
async function perSample(sample: () => unknown): Promise<{ wallMs: number; cpuMs: number }> {
  let wall = 0;
  let cpu = 0;
  for (let i = 0; i < SAMPLES; i++) {
    await new Promise((r) => setTimeout(r, 1100));
    const c0 = selfAndChildrenCpuMs();
    const t0 = process.hrtime.bigint();
    await sample();
    wall += Number(process.hrtime.bigint() - t0) / 1e6;
    cpu += selfAndChildrenCpuMs() - c0;
  }
  return { wallMs: wall / SAMPLES, cpuMs: cpu / SAMPLES };
}
const ours = await perSample(() => {
  host.sample();
  procs.read(pids, mem);
});
const theirs = await perSample(async () => {
  const [, , list] = await Promise.all([si.currentLoad(), si.mem(), si.processes()]);
  return list.list.filter((p) => pids.includes(p.pid));
});
for (const c of children) c.kill();
table(
  ['reader (host + 50 processes, 1 sample/s)', 'wall ms / sample', 'CPU ms / sample (with children)'],
  [
    ['gpumon /proc reader', ours.wallMs, ours.cpuMs],
    ['systeminformation (currentLoad + mem + processes)', theirs.wallMs, theirs.cpuMs],
  ],
);
console.log(`\nThe /proc reader costs ${fmt(theirs.cpuMs / Math.max(ours.cpuMs, 0.001))}x less CPU per sample: systeminformation runs ps and reads every process on the machine to find 50.`);
process.exit(0);
