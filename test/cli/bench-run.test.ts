import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/fixtures.js';
import { performance } from 'node:perf_hooks';
import { freshConfigDir, gpumon, STACK_FRAME } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait.js';

const dir = () => mkdtempSync(join(tmpdir(), 'gpumon-bench-run-'));
const NO_GPU = ['--nvidia-smi', '/nonexistent/nvidia-smi', '--baseline', '0'];
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('gpumon bench run', () => {
  it('times a command: each run of sleep 0.3 at least 0.3 s and all within the time gpumon ran, in hyperfine summary and JSON', () => {
    const out = join(dir(), 'r.json');
    const started = performance.now();
    const r = gpumon(['bench', 'run', ...NO_GPU, '--runs', '3', '--export-json', out, 'sleep 0.3']);
    const ranFor = (performance.now() - started) / 1000;
    expect(r.status).toBe(0);
    const doc = readJson(out);
    expect(doc.kind).toBe('run');
    const [res] = doc.results;
    expect(res.command).toBe('sleep 0.3');
    expect(res.times).toHaveLength(3);
    // Never less than the sleep (less the shell's start-up, which hyperfine's calibration takes off); together, less than gpumon's own run.
    expect(res.min).toBeGreaterThanOrEqual(0.3 - doc.shell_spawn.time);
    expect(res.times.reduce((a: number, b: number) => a + b, 0)).toBeLessThan(ranFor);
    expect(res.mean).toBeCloseTo(res.times.reduce((a: number, b: number) => a + b, 0) / 3, 9);
    // The summary shows the JSON's figures, in ms below a second.
    const d = (s: number) => (res.mean < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(3)} s`);
    expect(r.stdout).toMatch(/^Benchmark 1: sleep 0\.3$/m);
    const f = (s: number) => d(s).replace('.', '\\.');
    expect(r.stdout).toMatch(new RegExp(`^ {2}Time \\(mean ± σ\\): +${f(res.mean)} ± +${f(res.stddev)} {4}\\[User: ${f(res.user)}, System: ${f(res.system)}\\]$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ {2}Range \\(min … max\\): +${f(res.min)} … +${f(res.max)} {4}3 runs$`, 'm'));
    // The reason the GPU figures are empty is said once.
    expect(r.stdout.match(/no GPU could be read/g)).toHaveLength(1);
    expect(res.exit_codes).toEqual([0, 0, 0]);
    for (const k of ['stddev', 'median', 'min', 'max', 'user', 'system']) expect(typeof res[k]).toBe('number');
    expect(res.gpu).toBeNull();
    expect(res.runs[0]).toMatchObject({ exit_code: 0, gpu_energy_j: null, process_tree_peak_gpu_memory_mib: null });
    expect(doc.gpu_note).toMatch(/nvidia-smi/);
  });

  it("counts the CPU time of the command's whole tree (a busy node under a shell)", () => {
    const out = join(dir(), 'r.json');
    // Spin until 400 ms of CPU are used (not of wall time: the machine may be busy).
    const busy = `node -e "while (process.cpuUsage().user < 400000);"`;
    const r = gpumon(['bench', 'run', ...NO_GPU, '--runs', '2', '--export-json', out, `sh -c '${busy}'`]);
    expect(r.status).toBe(0);
    const [res] = readJson(out).results;
    // 400 ms of spinning is user time, measured in 10 ms ticks; the shell and node start-up add a little.
    expect(res.user).toBeGreaterThanOrEqual(0.38);
    expect(res.user).toBeLessThan(0.8);
    expect(res.user + res.system).toBeLessThanOrEqual(res.mean + 0.1);
  });

  it('runs --prepare before each run, warmup runs included, and only times the command', () => {
    const d = dir();
    const log = join(d, 'log');
    const out = join(d, 'r.json');
    const r = gpumon(['bench', 'run', ...NO_GPU, '--runs', '3', '--warmup', '1', '--prepare', `echo p >> ${log}; sleep 0.3`, '--export-json', out, `echo r >> ${log}`]);
    expect(r.status).toBe(0);
    expect(readFileSync(log, 'utf8').split('\n').join(' ').trim()).toBe('p r p r p r p r');
    // The prepare's sleep is not timed: timed, each run would take 0.3 s at least.
    expect(readJson(out).results[0].max).toBeLessThan(0.3);
  });

  it('stops at a failing run (exit 1) and keeps what it measured, or goes on with --ignore-failure', () => {
    const out = join(dir(), 'r.json');
    const r = gpumon(['bench', 'run', ...NO_GPU, '--runs', '3', '--export-json', out, 'exit 3']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gpumon: the command exited with status 3 on run 1; stopped (--ignore-failure goes on regardless, --show-output shows its output)\n');
    expect(readJson(out)).toMatchObject({ stopped: { kind: 'failed', what: 'command', run: 'run 1', exit_code: 3, timed_out: false }, results: [{ exit_codes: [3] }] });

    const ok = gpumon(['bench', 'run', ...NO_GPU, '--runs', '2', '--ignore-failure', '--export-json', out, 'exit 3']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/Warning: 2 of 2 runs failed \(a non-zero exit status/);
    expect(readJson(out).results[0].exit_codes).toEqual([3, 3]);

    const prep = gpumon(['bench', 'run', ...NO_GPU, '--prepare', 'false', 'true']);
    expect(prep.status).toBe(1);
    expect(prep.stderr).toMatch(/^gpumon: the --prepare command exited with status 1 \(before run 1\); stopped$/m);
  });

  it('--run-timeout ends a hung run and its tree: the run fails, or counts with --ignore-failure', () => {
    const out = join(dir(), 'r.json');
    const r = gpumon(['bench', 'run', ...NO_GPU, '--runs', '3', '--run-timeout', '0.3', '--export-json', out, 'sleep 10']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gpumon: the command ran past --run-timeout and was ended on run 1; stopped/m);
    const [res] = readJson(out).results;
    expect(res.runs[0]).toMatchObject({ timed_out: true, exit_code: null, signal: 'SIGTERM' });
    // Ended at the timeout, by the SIGTERM (signal above), not by the SIGKILL that would follow 1 s later.
    expect(res.times[0]).toBeGreaterThanOrEqual(0.3 - readJson(out).shell_spawn.time);
    const ok = gpumon(['bench', 'run', ...NO_GPU, '--runs', '2', '--run-timeout', '200ms', '--ignore-failure', 'sleep 10']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ {2}1 +\d+\.\d ms +timeout$/m);
  });

  it('says so when the command cannot be run (127) and refuses bad flags (2), without a stack trace', () => {
    const missing = gpumon(['bench', 'run', ...NO_GPU, '-N', 'no-such-program-here x']);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toBe('gpumon: cannot run no-such-program-here: not found\n');
    for (const bad of [['--runs', '0'], ['--warmup', 'x'], ['--baseline', '-1']]) {
      const r = gpumon(['bench', 'run', ...bad, 'true']);
      expect(r.status).toBe(2);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
    expect(gpumon(['bench', 'run', '--runs', '0', 'true']).stderr).toMatch(/--runs: '0' is not a whole number from 1/);
    // Under a regular file: no one, root included, can create it.
    const file = join(mkdtempSync(join(tmpdir(), 'gpumon-run-')), 'a-file');
    writeFileSync(file, '');
    const unwritable = gpumon(['bench', 'run', ...NO_GPU, '--export-json', `${file}/r.json`, 'true']);
    expect(unwritable.status).toBe(73);
    expect(unwritable.stderr).toMatch(/^gpumon: --export-json: cannot write .*a-file\/r.json: ENOTDIR$/m);
  });

  it('runs without GPUs when none can be read, but a --only that matches no GPU is an error (6), as for --once', () => {
    const none = gpumon(['bench', 'run', ...NO_GPU, '--runs', '1', 'true']);
    expect(none.status).toBe(0);
    expect(none.stdout).toMatch(/GPU: not measured: no GPU could be read: nvidia-smi was not found/);
    const wrong = gpumon(['bench', 'run', '--demo', '--only', '9', '--runs', '1', 'true']);
    expect(wrong.status).toBe(6);
    expect(wrong.stderr).toMatch(/^gpumon: --only: no GPU matches 9 \(GPUs here: 0, 1, 2, 3, 4, 5, 6, 7\)\.$/m);
    expect(wrong.stdout).toBe('');
  });

  it('--demo: the GPU side from the demo recording, for every run and the whole set', () => {
    const out = join(dir(), 'r.json');
    const r = gpumon(['bench', 'run', '--demo', 'h100', '--baseline', '0.3', '--runs', '3', '--export-json', out, 'sleep 0.3']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/demo recording 'h100'/);
    expect(r.stdout).toMatch(/^-+ GPU -+$/m);
    expect(r.stdout).toMatch(/^Idle baseline power \(W\): +7\d\.\d$/m); // the recording starts idle, ~72 W
    const [res] = readJson(out).results;
    expect(res.gpu.devices).toHaveLength(1);
    expect(res.gpu.sample_interval_ms).toBe(100);
    for (const run of res.runs) {
      expect(run.gpu_energy_j).toBeGreaterThan(0);
      expect(run.gpu_avg_utilization_percent).not.toBeNull();
      expect(run.gpu_peak_memory_used_mib).not.toBeNull();
      expect(run.process_tree_peak_gpu_memory_mib).toBe(0); // sleep holds no GPU memory
    }
    const sum = res.runs.reduce((s: number, x: { gpu_energy_j: number }) => s + x.gpu_energy_j, 0);
    expect(res.gpu.energy_j).toBeCloseTo(sum, 6);
  });

  it('--json prints the result document instead of the summary', () => {
    const r = gpumon(['bench', 'run', ...NO_GPU, '--runs', '1', '--json', 'true']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.results[0].stddev).toBeNull(); // one run: no sample sigma, as hyperfine
    // The root command's --ascii applies to the summary.
    expect(gpumon(['--ascii', 'bench', 'run', ...NO_GPU, '--runs', '1', 'true']).stdout).toMatch(/^ {2}Time \(mean \+\/- sd\): /m);
  });

  it('Ctrl-C mid-run: kills the command tree, prints and saves the runs done, exits 130', async () => {
    const d = dir();
    const out = join(d, 'r.json');
    const pids = join(d, 'pids');
    // The first run is quick; the second starts a grandchild and hangs.
    const script = join(d, 'cmd.sh');
    writeFileSync(script, `if [ -f ${d}/once ]; then sleep 30 & echo $! >> ${pids}; wait; else touch ${d}/once; fi\n`);
    const child = spawn(process.execPath, [CLI, 'bench', 'run', ...NO_GPU, '--runs', '5', '--export-json', out, `sh ${script}`], {
      env: { ...process.env, GPUMON_CONFIG_DIR: freshConfigDir() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => existsSync(pids), 'the second run to start its grandchild', { got: () => stdout + stderr });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toMatch(/1 run of 5$/m);
    expect(stderr).toMatch(/^gpumon: interrupted \(SIGINT\) after 1 of 5 runs; saved to /m);
    expect(readJson(out)).toMatchObject({ stopped: { kind: 'interrupted' }, results: [{ times: [expect.any(Number)] }] });
    const grandchild = Number(readFileSync(pids, 'utf8').trim());
    // Gone, or a zombie waiting for init to reap it.
    const state = () => (existsSync(`/proc/${grandchild}/stat`) ? readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]![0]! : 'gone');
    await waitFor(() => ['gone', 'Z'].includes(state()), 'the grandchild gone', { got: state });
  });
});

describe("gpumon bench run: hyperfine's command line", () => {
  it('several commands: one benchmark each, and "X ± σ times faster than Y"', () => {
    const d = dir();
    const r = gpumon(['bench', 'run', ...NO_GPU, '-r', '3', '--export-json', join(d, 'r.json'), 'sleep 0.2', 'sleep 0.05']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Benchmark 1: sleep 0\.2\n[^]*^Benchmark 2: sleep 0\.05\n/m);
    expect(r.stdout).toMatch(/^Summary\n {2}'sleep 0\.05' ran\n +\d\.\d\d ± \d\.\d\d times faster than 'sleep 0\.2'$/m);
    const doc = readJson(join(d, 'r.json'));
    expect(doc.results.map((x: { command: string }) => x.command)).toEqual(['sleep 0.2', 'sleep 0.05']);
    expect(doc.cpu_note).toBeNull();
    expect(doc.shell_spawn.time).toBeGreaterThan(0);
    for (const x of doc.results) expect(x.memory_usage_byte.every((m: number) => m > 0)).toBe(true);
  });

  it('-P with -D, -n with {VAR}: parameters in the JSON as hyperfine writes them, a CSV column, and the sweep table', () => {
    const d = dir();
    const r = gpumon(['bench', 'run', ...NO_GPU, '-r', '2', '-P', 'ms', '10', '30', '-D', '10', '-n', 'nap {ms}', '--export-json', join(d, 'r.json'), '--export-csv', join(d, 'r.csv'), 'sleep 0.{ms}']);
    expect(r.status).toBe(0);
    const results = readJson(join(d, 'r.json')).results;
    expect(results.map((x: { command: string; parameters: unknown }) => [x.command, x.parameters])).toEqual([
      ['nap 10', { ms: '10' }],
      ['nap 20', { ms: '20' }],
      ['nap 30', { ms: '30' }],
    ]);
    expect(results[2].command_line).toBe('sleep 0.30');
    // What hyperfine's plot_parametrized.py reads: one parameter per result, a number in a string.
    expect(results.map((x: { parameters: Record<string, string> }) => Number(Object.values(x.parameters)[0]))).toEqual([10, 20, 30]);
    const csv = readFileSync(join(d, 'r.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('command,mean,stddev,median,user,system,min,max,parameter_ms');
    expect(csv[3]).toMatch(/^nap 30,0\.[23]\d*,.*,30$/);
    expect(r.stdout).toMatch(/^Sweep\n {2}ms +mean ± σ .*\n {2}10 +\d+\.\d ms ± /m);
  });

  it('-N runs the words directly, quotes honoured; --reference is compared with; -i is --ignore-failure', () => {
    const d = dir();
    const out = join(d, 'out');
    const r = gpumon(['bench', 'run', ...NO_GPU, '-N', '-r', '2', '--output', out, '--reference', 'sleep 0.3', '--export-json', join(d, 'r.json'), `sh -c 'echo "$0 $1"' "a b" c`]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('a b c\n');
    expect(readJson(join(d, 'r.json')).shell_spawn).toBeNull();
    expect(r.stdout).toMatch(/^ {2}'sleep 0\.3' ran\n +\d+\.\d\d ± \d+\.\d\d times slower than 'sh -c/m);
    const ignored = gpumon(['bench', 'run', ...NO_GPU, '-r', '2', '-i', 'exit 3']);
    expect(ignored.status).toBe(0);
  });

  it('--input feeds the commands; --style none prints nothing but still exports; every --export-* is written', () => {
    const d = dir();
    const input = join(d, 'in');
    writeFileSync(input, 'hello\n');
    const exportsTo = ['json', 'csv', 'markdown', 'asciidoc', 'orgmode'].flatMap((k) => [`--export-${k}`, join(d, `r.${k}`)]);
    const r = gpumon(['bench', 'run', ...NO_GPU, '-r', '2', '--style', 'none', '--input', input, '--output', join(d, 'out'), ...exportsTo, 'cat']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(d, 'r.markdown'), 'utf8')).toMatch(/^\| Command \| Mean \[ms\] \| Min \[ms\] \| Max \[ms\] \| Relative \|\n\|:---\|---:\|---:\|---:\|---:\|\n\| `cat` \| /);
    expect(readFileSync(join(d, 'r.asciidoc'), 'utf8')).toMatch(/^\[cols="<,>,>,>,>"\]\n\|===\n/);
    expect(readFileSync(join(d, 'r.orgmode'), 'utf8')).toMatch(/^\| Command {2}\| {2}Mean \[ms\] \|/);
    expect(readFileSync(join(d, 'r.csv'), 'utf8')).toMatch(/^command,mean,/);
  });

  it('refuses what hyperfine refuses, with exit 2 and no stack trace', () => {
    const bad: [string[], RegExp][] = [
      [['-D', '2', 'true'], /-D\/--parameter-step-size needs -P/],
      [['-p', 'a', '-p', 'b', '-p', 'c', 'x', 'y'], /--prepare is given 3 times/],
      [['-r', '2', '-m', '3', 'true'], /cannot be used with/],
      [['-m', '5', '-M', '3', 'true'], /--min-runs 5 is more than --max-runs 3/],
      [['-P', 'n', '1', '2', '-L', 'm', 'a', 'x'], /cannot be used with/],
      [['-P', 'n', '1'], /-P\/--parameter-scan takes VAR MIN MAX|missing/],
      [['--style', 'loud', 'true'], /--style: 'loud' is not one of auto, basic/],
      [['-n', 'a', '-n', 'b', 'true'], /--command-name is given 2 times, for 1 command/],
      [['-N', 'echo "open'], /unterminated "/],
    ];
    for (const [args, message] of bad) {
      const r = gpumon(['bench', 'run', ...NO_GPU, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
    const noInput = gpumon(['bench', 'run', ...NO_GPU, '--input', '/nonexistent/in', 'true']);
    expect(noInput.status).toBe(66);
    expect(noInput.stderr).toMatch(/^gpumon: --input: cannot read \/nonexistent\/in: ENOENT$/m);
  });
});
