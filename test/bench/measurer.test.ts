import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpawnFailure, type RunOptions } from '../../src/bench/child.js';
import { MEASURER_PATH, measureRequest, openCommandRunner, parseMeasureAnswer } from '../../src/bench/measurer.js';
import { commandLine, parseShell } from '../../src/bench/run-plan.js';

/** gpumon-measure is built by scripts/build.mjs, which `npm test` runs first. */
const runner = openCommandRunner();
afterAll(() => runner.close());
const sh = (text: string) => commandLine(text, parseShell(undefined, false));
const opts = (o: Partial<RunOptions> = {}): RunOptions => ({ output: { kind: 'null' }, input: null, ...o });
const dir = () => mkdtempSync(join(tmpdir(), 'gpumon-measure-'));
const spin = (ms: number) => `node -e "while (process.cpuUsage().user < ${ms * 1000});"`;

describe('gpumon-measure: wall, CPU and memory of the command alone, as hyperfine measures them', () => {
  it('is built and used', () => {
    expect(existsSync(MEASURER_PATH)).toBe(true);
    expect(runner.unmeasured).toBeNull();
  });

  it("counts the CPU of the command's whole tree in microseconds, not ticks", async () => {
    const r = await runner.run(sh(`${spin(300)}; true`), opts());
    expect(r.exitCode).toBe(0);
    expect(r.user).toBeGreaterThanOrEqual(0.3);
    expect(r.user! + r.system!).toBeLessThanOrEqual(r.seconds + 0.05);
    // A 10 ms tick would leave a whole number of hundredths.
    const micros = [];
    for (let i = 0; i < 3; i++) micros.push(await runner.run(sh('true'), opts()));
    expect(micros.some((m) => Math.round((m.user! + m.system!) * 1e6) % 10_000 !== 0)).toBe(true);
  });

  it("charges nothing of this process's own children to the command (gpumon's nvidia-smi helpers)", async () => {
    // While the command sleeps, this process starts and reaps a child that burns 300 ms of CPU.
    const helper = new Promise((resolve) => spawn('sh', ['-c', spin(300)]).on('exit', resolve));
    const r = await runner.run(sh('sleep 0.6'), opts());
    await helper;
    expect(r.seconds).toBeGreaterThanOrEqual(0.6);
    expect(r.user! + r.system!).toBeLessThan(0.1);
  });

  it("reports the largest resident set of one process of the tree (wait4's ru_maxrss)", async () => {
    const r = await runner.run(sh(`node -e "const b = Buffer.alloc(300 * 2 ** 20, 1); console.log(b[0])"`), opts());
    expect(r.maxRssBytes).toBeGreaterThan(300 * 2 ** 20);
    const small = await runner.run(sh('true'), opts());
    expect(small.maxRssBytes).toBeLessThan(50 * 2 ** 20);
  });

  it('sends the output to a file, drains a pipe, and reads stdin from a file or /dev/null', async () => {
    const d = dir();
    const out = join(d, 'out');
    const input = join(d, 'in');
    writeFileSync(input, 'from the file\n');
    await runner.run(sh('cat; echo to stderr >&2'), opts({ input, output: { kind: 'file', path: out } }));
    expect(readFileSync(out, 'utf8')).toBe('from the file\nto stderr\n');
    await runner.run(sh('cat; echo empty'), opts({ output: { kind: 'file', path: out } }));
    expect(readFileSync(out, 'utf8')).toBe('empty\n');
    // 8 MB through a pipe: more than any pipe buffer, so the measurer must read it.
    const piped = await runner.run(sh('head -c 8000000 /dev/zero'), opts({ output: { kind: 'pipe' } }));
    expect(piped.exitCode).toBe(0);
  });

  it('says how it ended: exit status, signal, or the time limit (the whole tree ended)', async () => {
    expect((await runner.run(sh('exit 7'), opts())).exitCode).toBe(7);
    const killed = await runner.run(sh('kill -9 $$'), opts());
    expect(killed).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    const d = dir();
    const hung = await runner.run(sh(`sleep 30 & echo $! > ${d}/pid; wait`), opts({ timeoutMs: 200 }));
    expect(hung.timedOut).toBe(true);
    const grandchild = Number(readFileSync(`${d}/pid`, 'utf8'));
    await expect.poll(() => (existsSync(`/proc/${grandchild}/stat`) ? readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]![0] : 'gone')).toMatch(/gone|Z/);
  });

  it('a program that is not there is a SpawnFailure, and the measurer goes on', async () => {
    await expect(runner.run(commandLine('no-such-program-here', { kind: 'none' }), opts())).rejects.toThrow(SpawnFailure);
    expect((await runner.run(sh('exit 0'), opts())).exitCode).toBe(0);
  });

  it('without gpumon-measure, commands still run through Node, with CPU and memory unmeasured and the reason given', async () => {
    const fallback = openCommandRunner('/nonexistent/gpumon-measure');
    expect(fallback.unmeasured).toMatch(/not built/);
    const r = await fallback.run(sh('exit 3'), opts());
    expect(r).toMatchObject({ exitCode: 3, user: null, system: null, maxRssBytes: null });
    expect(r.seconds).toBeGreaterThan(0);
  });

  it('speaks a protocol of NUL-terminated fields and one-line answers', () => {
    expect(measureRequest(sh('x'), opts({ output: { kind: 'file', path: '/o' } })).toString()).toBe('\0file:/o\x003\0sh\0-c\0x\0');
    expect(parseMeasureAnswer('started 42')).toEqual({ kind: 'started', pid: 42 });
    expect(parseMeasureAnswer('error 2')).toEqual({ kind: 'error', code: 'ENOENT' });
    expect(parseMeasureAnswer('exit -1 9 1500000000 2000 1000 4096')).toEqual({ kind: 'exit', exitCode: null, signal: 'SIGKILL', seconds: 1.5, user: 0.002, system: 0.001, maxRssBytes: 4096 * 1024 });
    expect(parseMeasureAnswer('exit 0 x')).toBeNull();
  });
});
