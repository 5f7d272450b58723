import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GpuLocks, locksDir } from '../../src/sampler/host/gpu-locks.js';
import { gpumon, type RunningCli, spawnGpumon, STACK_FRAME } from '../helpers/run-cli.js';
import { ServeProcess } from '../helpers/serve.js';

/**
 * `gpumon select` and `gpumon wait` through the built CLI, on the 8-GPU demo
 * recording. At 20 s in (what `select --demo` reads) GPUs 4 and 5 are free;
 * replayed from its start (what `wait --demo` reads), GPUs 0, 1 and 2 are free
 * at once, and GPU 7's process ends 4.87 s in.
 */

/** A lock folder of its own ($XDG_RUNTIME_DIR), so tests never meet each other's or the user's locks. */
const runtime = () => ({ XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'gpumon-run-')) });

async function until(what: () => boolean, label: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Its stdout so far, as it runs. */
function stdoutOf(r: RunningCli): () => string {
  let out = '';
  r.child.stdout!.on('data', (t: string) => (out += t));
  return () => out;
}

const running: RunningCli[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const r of running.splice(0)) r.child.kill('SIGKILL');
  for (const pid of pids.splice(0))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
});
function start(args: string[], env: Record<string, string>): RunningCli {
  const r = spawnGpumon(args, env);
  running.push(r);
  return r;
}

describe('gpumon select', () => {
  it('prints the free GPUs as CUDA_VISIBLE_DEVICES wants them: indices, or UUIDs', () => {
    const env = runtime();
    expect(gpumon(['select', '--demo', '-n', '2'], env)).toEqual({ status: 0, stdout: '4,5\n', stderr: '' });
    expect(gpumon(['select', '--demo', '--uuid'], env).stdout).toBe('GPU-83f940cf-1e20-11a7-9070-127ab0ea4004\n');
    expect(gpumon(['select', '--demo', '-n', '3', '--max-procs', '1', '--sort', 'index'], env).stdout).toBe('3,4,5\n');
  });

  it('too few qualify: exit 1, the reasons per GPU, nothing on stdout', () => {
    const r = gpumon(['select', '--demo', '-n', '3', '--min-free', '60GiB'], runtime());
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('gpumon: 2 of 8 GPUs qualify (no processes, at most 10% busy, 60.00GiB free); 3 wanted');
    expect(r.stderr).toContain('\n  GPU 0: 23.6/79.6 GiB used (55.56GiB free, 60.00GiB wanted), 99% busy, 2 processes\n');
    expect(r.stderr).toContain('\n  GPU 3: 1 process\n');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('--json: every GPU judged, best first', () => {
    const doc = JSON.parse(gpumon(['select', '--demo', '--json'], runtime()).stdout) as { cuda_visible_devices: string; gpus: { index: number; selected: boolean; qualifies: boolean; reasons: { kind: string }[] }[] };
    expect(doc.cuda_visible_devices).toBe('4');
    expect(doc.gpus.map((g) => [g.index, g.qualifies, g.selected])[0]).toEqual([4, true, true]);
    expect(doc.gpus.find((g) => g.index === 3)!.reasons.map((r) => r.kind)).toEqual(['processes']);
  });

  it('passes over a GPU a waiter has taken', () => {
    const env = runtime();
    const locks = new GpuLocks(locksDir(env));
    locks.take('GPU-83f940cf-1e20-11a7-9070-127ab0ea4004', 'python train.py');
    try {
      expect(gpumon(['select', '--demo'], env).stdout).toBe('5\n');
      const r = gpumon(['select', '--demo', '-n', '2'], env);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`GPU 4: taken by gpumon wait (pid ${process.pid}: python train.py)`);
    } finally {
      locks.release();
    }
  });

  it('a bad value is a usage error (exit 2)', () => {
    for (const args of [['--min-free', 'lots'], ['-n', '0'], ['--max-util', '101'], ['--sort', 'fastest'], ['--remote', 'a:1,b:2']]) {
      const r = gpumon(['select', '--demo', ...args], runtime());
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/\(see gpumon select --help\)\n$/);
    }
  });

  it('--remote: another host’s GPUs, by their own UUIDs; a server that is not there is exit 69', async () => {
    const server = await ServeProcess.start(['--demo', '-i', '0.5']);
    try {
      // Served from the recording's start: GPUs 0, 1 and 2 are free.
      const r = gpumon(['select', '--remote', server.url, '--uuid', '--sort', 'index'], runtime());
      expect(r).toMatchObject({ status: 0, stdout: 'GPU-83f940cf-1e20-11a7-9070-127ab0ea4000\n' });
    } finally {
      await server.stop();
    }
    const down = gpumon(['select', '--remote', 'http://127.0.0.1:9', '--timeout', '2'], runtime());
    expect(down.status).toBe(69);
    expect(down.stderr).toMatch(/^gpumon: --remote http:\/\/127\.0\.0\.1:9: connection refused/);
  });
});

describe('gpumon wait', () => {
  it('runs the command with CUDA_VISIBLE_DEVICES set, and passes its exit status and output through', async () => {
    const r = await start(['wait', '--demo', '--settle', '0', '--', 'sh', '-c', 'echo "$CUDA_VISIBLE_DEVICES $CUDA_DEVICE_ORDER"; exit 3'], runtime()).done;
    expect(r.stdout).toBe('0 PCI_BUS_ID\n');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("gpumon wait: running sh -c 'echo \"$CUDA_VISIBLE_DEVICES $CUDA_DEVICE_ORDER\"; exit 3' with CUDA_VISIBLE_DEVICES=0\n");
  });

  it('starts the command once the GPU has been free for the settle time: GPU 7 frees 4.87 s in, so not before 5.9 s', async () => {
    const t0 = Date.now();
    const r = await start(['wait', '--demo', '--only', '6,7', '--settle', '1s', '-i', '0.25', '--', 'sh', '-c', 'echo $CUDA_VISIBLE_DEVICES'], runtime()).done;
    const elapsed = Date.now() - t0;
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('7\n');
    expect(elapsed).toBeGreaterThanOrEqual(5900);
    // What it waited for, in order: GPU 7 held, then settling, then taken.
    const lines = r.stderr.split('\n');
    const held = lines.findIndex((l) => l.includes('GPU 7: 1 process'));
    const settling = lines.findIndex((l) => /GPU 7: free for \ds of 1s/.test(l));
    expect(lines[0]).toBe('gpumon wait: waiting for 1 GPU (no processes, at most 10% busy, for 1s) to run sh -c \'echo $CUDA_VISIBLE_DEVICES\'');
    expect(held).toBeGreaterThan(0);
    expect(settling).toBeGreaterThan(held);
    expect(lines.findIndex((l) => l.includes('with CUDA_VISIBLE_DEVICES=7'))).toBeGreaterThan(settling);
  });

  it('two waiters at once never take the same GPU', async () => {
    const env = runtime();
    const go = join(env.XDG_RUNTIME_DIR, 'go');
    // Each holds its GPU until both have one.
    const cmd = ['sh', '-c', `echo $CUDA_VISIBLE_DEVICES; while [ ! -e ${go} ]; do sleep 0.05; done`];
    const a = start(['wait', '--demo', '--only', '0,1', '--settle', '0.5s', '-i', '0.1', '--', ...cmd], env);
    const b = start(['wait', '--demo', '--only', '0,1', '--settle', '0.5s', '-i', '0.1', '--', ...cmd], env);
    const [outA, outB] = [stdoutOf(a), stdoutOf(b)];
    await until(() => outA() !== '' && outB() !== '', 'both commands to start');
    writeFileSync(go, '');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.status, rb.status]).toEqual([0, 0]);
    expect([ra.stdout, rb.stdout].sort()).toEqual(['0\n', '1\n']);
  });

  /** Whether GPU 0's reasons, among any others, name the lock of this pid. */
  const takenBy = (text: string, pid: number) => new RegExp(`GPU 0: (.*, )?taken by gpumon wait \\(pid ${pid}: `).test(text);

  it('a killed waiter frees its GPU once its command is gone too', async () => {
    const env = runtime();
    const a = start(['wait', '--demo', '--only', '0', '--settle', '0', '--', 'sh', '-c', 'echo $$; exec sleep 60'], env);
    const outA = stdoutOf(a);
    await until(() => outA().endsWith('\n'), 'the first command');
    const command = Number(outA());
    pids.push(command);
    const b = start(['wait', '--demo', '--only', '0', '--settle', '0', '-i', '0.1', '--', 'sh', '-c', 'echo $CUDA_VISIBLE_DEVICES'], env);
    // The replay may show GPU 0 busy as well by now: the lock is what must be named.
    await until(() => takenBy(b.stderr(), a.child.pid!), 'the second to see the lock');
    const killed = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGKILL');
    // (Not a.done: the command still has the waiter's stdout open.)
    await killed;
    // Its command still runs on the GPU, so the GPU stays taken, now by the command...
    expect(takenBy(gpumon(['select', '--demo', '--only', '0'], env).stderr, command)).toBe(true);
    expect(b.child.exitCode).toBeNull();
    // ...until it ends too.
    process.kill(command, 'SIGKILL');
    const rb = await b.done;
    expect(rb.status).toBe(0);
    expect(rb.stdout).toBe('0\n');
  });

  it('passes SIGTERM to the command and exits as it did', async () => {
    const trap = start(['wait', '--demo', '--settle', '0', '--', 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done'], runtime());
    const out = stdoutOf(trap);
    await until(() => out().includes('ready'), 'the command');
    trap.child.kill('SIGTERM');
    const r = await trap.done;
    expect(r.stdout).toBe('ready\ngot TERM\n');
    expect(r.status).toBe(7);

    const plain = start(['wait', '--demo', '--settle', '0', '--', 'sh', '-c', 'echo ready; exec sleep 60'], runtime());
    const out2 = stdoutOf(plain);
    await until(() => out2().includes('ready'), 'the command');
    plain.child.kill('SIGTERM');
    expect((await plain.done).status).toBe(143);
  });

  it('--max-wait: gives up with exit 75 and why; SIGINT while waiting is exit 130; nothing is run', async () => {
    const r = await start(['wait', '--demo', '--only', '3', '--max-wait', '1s', '-i', '0.2', '--', 'sh', '-c', 'echo ran'], runtime()).done;
    expect(r.status).toBe(75);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('gpumon: gave up after waiting 0:01 (--max-wait): 0 of 1 GPUs qualify (no processes, at most 10% busy); 1 wanted; nothing was run\n  GPU 3: 99% busy, 2 processes\n');

    const w = start(['wait', '--demo', '--only', '3', '-i', '0.2', '--', 'sh', '-c', 'echo ran'], runtime());
    await until(() => w.stderr().includes('GPU 3: 99% busy'), 'the progress line');
    w.child.kill('SIGINT');
    const ri = await w.done;
    expect(ri.status).toBe(130);
    expect(ri.stdout).toBe('');
  });

  it('fails at once when it can never succeed: more GPUs than there are (1), a command not found (127)', async () => {
    const many = gpumon(['wait', '--demo', '-n', '9', '--', 'true'], runtime());
    expect(many.status).toBe(1);
    expect(many.stderr).toContain('gpumon: -n 9, but there are only 8 GPUs to pick from\n');
    const missing = gpumon(['wait', '--demo', '--settle', '0', '--', 'no-such-command-here'], runtime());
    expect(missing.status).toBe(127);
    expect(missing.stderr).toContain('gpumon: cannot run no-such-command-here: not found\n');
    expect(missing.stderr).not.toMatch(STACK_FRAME);
  });
});
