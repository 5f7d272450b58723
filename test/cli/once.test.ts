import { describe, expect, it } from 'vitest';
import { FAKE_SMI } from '../helpers/fixtures.js';
import { gpumon, STACK_FRAME } from '../helpers/run-cli.js';

const fake = (scenario: string, extra: Record<string, string> = {}) => ({ GPUMON_NVIDIA_SMI: FAKE_SMI, FAKE_SMI_SCENARIO: scenario, ...extra });

describe('gpumon --once on the demo recordings', () => {
  it('prints the boxed snapshot with a DEMO mark and exits 0', () => {
    const r = gpumon(['--demo', '--once']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('DEMO: 8 GPUs, derived from the H100 recording');
    expect(r.stdout.match(/H100 80GB HBM3/g)).toHaveLength(8);
    expect(r.stdout).not.toContain('\x1b['); // not a terminal: no color
  });

  it('prints once when stdout is not a terminal, as nvitop does', () => {
    expect(gpumon(['--demo', 'h100']).stdout).toContain('python3 burn.py 20 20');
  });

  it('--json is one JSON document with the GPUs and their processes', () => {
    const r = gpumon(['--demo', '--once', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.gpus).toHaveLength(8);
    expect(doc.source).toMatchObject({ kind: 'demo', recording: '8xh100' });
    expect(doc.gpus.flatMap((g: { processes: unknown[] }) => g.processes).length).toBeGreaterThan(5);
  });

  it('--compact prints a header line and one line per GPU', () => {
    const lines = gpumon(['--demo', '--once', '--compact']).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines.slice(1).every((l, i) => l.startsWith(`[${i}] H100 80GB HBM3 |`))).toBe(true);
  });

  it('--only and --only-visible select GPUs', () => {
    const only = JSON.parse(gpumon(['--demo', '--json', '--only', '3,1']).stdout);
    expect(only.gpus.map((g: { index: number }) => g.index)).toEqual([3, 1]);
    const visible = JSON.parse(gpumon(['--demo', '--json', '--only-visible'], { CUDA_VISIBLE_DEVICES: '5,6' }).stdout);
    expect(visible.gpus.map((g: { index: number }) => g.index)).toEqual([5, 6]);
  });

  it('FORCE_COLOR colors a pipe; NO_COLOR and --ascii are honoured', () => {
    expect(gpumon(['--demo', '--once'], { FORCE_COLOR: '1' }).stdout).toContain('\x1b[');
    expect(gpumon(['--demo', '--once'], { NO_COLOR: '1' }).stdout).not.toContain('\x1b[');
    const ascii = gpumon(['--demo', '--once', '--ascii']).stdout;
    expect([...ascii].some((c) => c.charCodeAt(0) > 127)).toBe(false);
  });

  it('--threshold and --theme set the colors over the settings', () => {
    const red = gpumon(['--demo', 'h100', '--compact', '--threshold', 'temperature=50,60'], { FORCE_COLOR: '1' }).stdout;
    expect(red).toContain("\x1b[31m 61°C");
    const light = gpumon(['--demo', 'h100', '--compact', '--theme', 'light'], { FORCE_COLOR: '1' }).stdout;
    expect(light).toContain('\x1b[38;5;130m'); // the light theme's "moderate" (sw_power_cap)
  });

  it('COLUMNS widens the snapshot of a pipe', () => {
    const wide = gpumon(['--demo', '--once'], { COLUMNS: '120' }).stdout.split('\n')[1]!;
    expect(wide.length).toBe(120);
  });
});

describe('gpumon --once against the fake nvidia-smi', () => {
  it('idle H100: the real values, no processes', () => {
    const r = gpumon(['--once'], fake('idle'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Driver 580.159.04');
    expect(r.stdout).toContain('No running processes found');
    expect(r.stdout).toMatch(/UTIL\s+0%/);
  });

  it('a field the driver lacks is dropped, noted, and the rest shown', () => {
    const r = gpumon(['--once', '--json'], fake('load', { FAKE_SMI_INVALID: 'utilization.encoder' }));
    const doc = JSON.parse(r.stdout);
    expect(doc.gpus[0]['utilization.enc']).toBeNull();
    expect(doc.gpus[0].unknown['utilization.enc']).toBe('field_unsupported');
    expect(doc.gpus[0]['utilization.gpu']).toBe(99);
    expect(doc.notes).toEqual(['this driver does not report: utilization.encoder']);
  });

  it('a lost GPU shows as LOST beside the others', () => {
    const r = gpumon(['--once', '--json'], fake('lost', { FAKE_SMI_GPUS: '3' }));
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.gpus.map((g: { lost: boolean }) => g.lost)).toEqual([false, false, true]);
    expect(doc.gpus[2]['pci.bus_id']).toBe('00000000:38:00.0');
  });

  it('8 GPUs with 200 processes: every process in --json, --compact and the boxed table', () => {
    const env = fake('load', { FAKE_SMI_GPUS: '8', FAKE_SMI_APPS: 'many:200' });
    const doc = JSON.parse(gpumon(['--once', '--json'], env).stdout);
    expect(doc.gpus).toHaveLength(8);
    expect(doc.gpus.reduce((n: number, g: { processes: unknown[] }) => n + g.processes.length, 0)).toBe(200);
    const compact = gpumon(['--once', '--compact'], env).stdout.trimEnd().split('\n');
    expect(compact).toHaveLength(9);
    // By PID and memory only: a live process that happens to hold one of the fake PIDs lends it its own user and name.
    expect(compact[1]!.match(/\/5\d{3}\(\d+M\)/g)).toHaveLength(25);
    const boxed = gpumon(['--once'], env).stdout;
    expect(boxed.match(/^│ +\d +5\d{3} /gm)).toHaveLength(200);
  });

  it('processes with odd names, on 4 GPUs', () => {
    const doc = JSON.parse(gpumon(['--once', '--json'], fake('load', { FAKE_SMI_GPUS: '4', FAKE_SMI_APPS: 'odd' })).stdout);
    const names = doc.gpus.flatMap((g: { processes: { process_name: string | null }[] }) => g.processes.map((p) => p.process_name));
    expect(names.sort()).toEqual(['C:\\Program Files\\App, Inc\\app.exe', 'python3 my train.py', 'weird,name,,with commas', null].sort());
  });
});

describe('failures: one clear message, a documented exit status, no stack trace', () => {
  it.each([
    [{ GPUMON_NVIDIA_SMI: '/nonexistent/nvidia-smi' }, 3, /nvidia-smi was not found.*gpumon --demo/s],
    [fake('not-loaded'), 9, /cannot talk to the NVIDIA driver/],
    [fake('mismatch'), 18, /different versions/],
    [fake('no-devices'), 6, /found no GPUs/],
    [fake('garbage'), 65, /cannot read/],
  ])('%o exits %i', (env, status, message) => {
    const r = gpumon(['--once'], env);
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr.split('\n').length).toBeLessThan(8);
    expect(r.stdout).toBe('');
  });

  it('a hung nvidia-smi is killed after --timeout: exit 124', () => {
    const started = Date.now();
    const r = gpumon(['--once', '--timeout', '1'], fake('hang'));
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/did not answer within 1\.0 s and was killed/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('--nvidia-smi beats GPUMON_NVIDIA_SMI', () => {
    const r = gpumon(['--once', '--nvidia-smi', FAKE_SMI], { GPUMON_NVIDIA_SMI: '/nonexistent' });
    expect(r.status).toBe(0);
  });

  it('--only with no such GPU exits 6 and lists the GPUs there are', () => {
    const r = gpumon(['--demo', '--once', '--only', '0,9']);
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/--only 0,9: no GPU matches 9 \(GPUs here: 0, 1, 2, 3, 4, 5, 6, 7\)/);
  });

  it('CUDA_VISIBLE_DEVICES that hides every GPU exits 6', () => {
    const r = gpumon(['--demo', '--once', '--only-visible'], { CUDA_VISIBLE_DEVICES: '-1' });
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/CUDA_VISIBLE_DEVICES=-1: it selects no GPU/);
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--interval', 'fast'], /--interval: 'fast' is not a time/],
    [['--demo', 'nope'], /no recording named 'nope'/],
    [['--only', '1', '--only-visible', '--demo'], /cannot be used together/],
    [['--demo', '--theme', 'blue'], /--theme: 'blue' is not allowed; use one of dark, light/],
    [['--demo', '--threshold', 'temperature=90,10'], /--threshold temperature: '90,10' is not allowed; use two numbers/],
    [['--demo', '--threshold', 'hot'], /--threshold: 'hot' is not METRIC=MODERATE,HIGH/],
  ])('bad command line %o: exit 2', (args, message) => {
    const r = gpumon(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('--help and --version', () => {
  it('--help lists every option on one line each', () => {
    const r = gpumon(['--help']);
    expect(r.status).toBe(0);
    for (const o of ['--once', '--json', '--compact', '--demo', '--ascii', '--nvidia-smi', '--only ', '--only-visible', '--interval', '--timeout', '--version', '--help'])
      expect(r.stdout).toContain(o);
  });

  it('--version prints the version from package.json', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default;
    expect(gpumon(['--version']).stdout.trim()).toBe(pkg.version);
  });
});
