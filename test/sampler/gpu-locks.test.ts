import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GpuLocks, locksDir } from '../../src/sampler/host/gpu-locks.js';
import { readStartTimeMs } from '../../src/sampler/host/proc-processes.js';

const UUID = 'GPU-83f940cf-1e20-11a7-9070-127ab0ea4091';
const fresh = () => join(mkdtempSync(join(tmpdir(), 'gpumon-locks-')), 'locks');
/** A pid that was alive a moment ago and is not now. */
const deadPid = () => spawnSync('true').pid!;
function plant(dir: string, name: string, holders: { pid: number; startTimeMs: number | null }[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), JSON.stringify({ holders, command: 'python old.py' }));
}

describe('GpuLocks', () => {
  it('lives under $XDG_RUNTIME_DIR, else /tmp/gpumon-$UID', () => {
    expect(locksDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('/run/user/1000/gpumon/locks');
    expect(locksDir({}, 1000)).toBe('/tmp/gpumon-1000/locks');
  });

  it('one taker at a time; the lock names its holder and command, and is free once released', () => {
    const dir = fresh();
    const a = new GpuLocks(dir);
    const b = new GpuLocks(dir);
    expect(a.take(UUID, 'python a.py')).toBe(true);
    expect(b.take(UUID, 'python b.py')).toBe(false);
    expect(b.holderOf(UUID)).toEqual({ pid: process.pid, command: 'python a.py' });
    expect(a.holderOf(UUID)).toBeNull();
    a.release();
    expect(b.holderOf(UUID)).toBeNull();
    expect(b.take(UUID, 'python b.py')).toBe(true);
    expect(readdirSync(dir)).toEqual([`${UUID}.lock`]);
  });

  it('a lock whose holders are all dead is taken over; one with a live holder (the command of a killed waiter) is not', () => {
    const dir = fresh();
    plant(dir, `${UUID}.lock`, [{ pid: deadPid(), startTimeMs: null }]);
    expect(new GpuLocks(dir).holderOf(UUID)).toBeNull();
    expect(new GpuLocks(dir).take(UUID, 'python new.py')).toBe(true);
    const other = 'GPU-83f940cf-1e20-11a7-9070-127ab0ea4000';
    plant(dir, `${other}.lock`, [{ pid: deadPid(), startTimeMs: null }, { pid: process.pid, startTimeMs: readStartTimeMs(process.pid) }]);
    expect(new GpuLocks(dir).take(other, 'python new.py')).toBe(false);
  });

  it('a pid given to another process since does not hold the lock', () => {
    const dir = fresh();
    plant(dir, `${UUID}.lock`, [{ pid: process.pid, startTimeMs: readStartTimeMs(process.pid)! - 60_000 }]);
    expect(new GpuLocks(dir).take(UUID, 'x')).toBe(true);
  });

  it('the command started holds the locks too', () => {
    const dir = fresh();
    const a = new GpuLocks(dir);
    a.take(UUID, 'sleep');
    a.addHolder(process.ppid);
    const file = JSON.parse(readFileSync(join(dir, `${UUID}.lock`), 'utf8')) as { holders: { pid: number }[] };
    expect(file.holders.map((h) => h.pid)).toEqual([process.pid, process.ppid]);
  });

  it('a reclaim guard left by a killed taker is cleared, and the next try takes the lock', () => {
    const dir = fresh();
    plant(dir, `${UUID}.lock`, [{ pid: deadPid(), startTimeMs: null }]);
    plant(dir, `${UUID}.lock.reclaim`, [{ pid: deadPid(), startTimeMs: null }]);
    const b = new GpuLocks(dir);
    expect(b.take(UUID, 'x')).toBe(false);
    expect(existsSync(join(dir, `${UUID}.lock.reclaim`))).toBe(false);
    expect(b.take(UUID, 'x')).toBe(true);
  });

  it('a file that is not a whole lock holds nothing', () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${UUID}.lock`), '{"hold');
    expect(new GpuLocks(dir).take(UUID, 'x')).toBe(true);
  });
});
