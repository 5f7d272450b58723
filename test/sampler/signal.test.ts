import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readStartTimeMs } from '../../src/sampler/host/proc-processes.js';
import { signalProcess } from '../../src/sampler/host/signal.js';

/** A `sleep 30`, once it runs. */
async function sleeper() {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  await once(child, 'spawn');
  return { pid: child.pid!, exited, child };
}

describe('signalProcess', () => {
  it('signals the process that was shown', async () => {
    const p = await sleeper();
    const r = signalProcess(p.pid, readStartTimeMs(p.pid), 'SIGTERM');
    expect(r).toEqual({ ok: true, message: `SIGTERM sent to ${p.pid}` });
    expect(await p.exited).toBe('SIGTERM');
  });

  it('refuses when the PID now belongs to another process (start time differs)', async () => {
    const p = await sleeper();
    const shown = readStartTimeMs(p.pid)! - 60_000;
    const r = signalProcess(p.pid, shown, 'SIGKILL');
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/now a different process/);
    p.child.kill();
  });

  it('refuses for a process that is gone, and says so', () => {
    const r = signalProcess(2 ** 22 + 4321, 1, 'SIGTERM');
    expect(r).toEqual({ ok: false, message: `${2 ** 22 + 4321} has already exited (or is not visible here); nothing sent` });
  });

  it('says when it is not permitted', async () => {
    const p = await sleeper();
    const eperm = Object.assign(new Error('EPERM'), { code: 'EPERM' });
    const r = signalProcess(p.pid, readStartTimeMs(p.pid), 'SIGTERM', { kill: () => { throw eperm; } });
    expect(r).toEqual({ ok: false, message: `not permitted to signal ${p.pid}: it belongs to another user` });
    p.child.kill();
  });
});
