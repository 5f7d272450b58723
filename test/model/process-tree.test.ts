import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendants, inTree, treeGpuMemoryMiB } from '../../src/model/process-tree.js';
import type { GpuProcess } from '../../src/model/types.js';
import { parseParentPid, readParentPid, readParentTable } from '../../src/sampler/host/proc-tree.js';
import { demoAt } from '../helpers/snapshots.js';
import { waitFor } from '../helpers/wait.js';

// A made-up machine: init 1 -> gpumon 100 -> the command 200 -> 201, 202; 201 -> 300 (a
// worker); gpumon's other child 250; an unrelated 400; and a loop 500 <-> 501 (a table
// read while pids were reused).
const PARENTS = new Map([
  [100, 1],
  [200, 100],
  [201, 200],
  [202, 200],
  [300, 201],
  [250, 100],
  [400, 1],
  [500, 501],
  [501, 500],
]);
const parentOf = (pid: number) => PARENTS.get(pid) ?? null;

describe('a command process tree', () => {
  it('knows who descends from the command', () => {
    expect(inTree(300, 200, parentOf)).toBe(true);
    expect(inTree(200, 200, parentOf)).toBe(true);
    expect(inTree(250, 200, parentOf)).toBe(false);
    expect(inTree(100, 200, parentOf)).toBe(false);
    expect(inTree(999, 200, parentOf)).toBe(false); // not visible
    expect(inTree(500, 200, parentOf)).toBe(false); // a loop ends
    expect(descendants(200, PARENTS).sort()).toEqual([201, 202, 300]);
    expect(descendants(500, PARENTS)).toEqual([501]);
  });

  it('sums the GPU memory of the snapshot processes in the tree', () => {
    const base = demoAt('h100').processes[0]!;
    const p = (pid: number, gpuMemoryMiB: number | null, gpuIndex = 0): GpuProcess => ({ ...base, pid, gpuMemoryMiB, gpuIndex });
    const processes = [p(300, 1000), p(202, 500, 1), p(202, 250), p(250, 9999), p(400, 1), p(201, null)];
    expect(treeGpuMemoryMiB(processes, 200, parentOf)).toBe(1750);
    expect(treeGpuMemoryMiB(processes, 250, parentOf)).toBe(9999);
    expect(treeGpuMemoryMiB(processes, 777, parentOf)).toBe(0);
  });

  it('reads parents from /proc, command names with spaces and parentheses included', async () => {
    expect(parseParentPid('4242 (a (weird) name) S 17 4242 4242 0 -1')).toBe(17);
    expect(parseParentPid('garbage')).toBeNull();
    const sh = spawn('sh', ['-c', 'sleep 5 & wait'], { stdio: 'ignore' });
    try {
      const sleeper = await waitFor(() => descendants(sh.pid!, readParentTable())[0], 'the sleep started by sh');
      expect(inTree(sleeper, sh.pid!, (pid) => readParentPid(pid))).toBe(true);
      expect(inTree(process.pid, sh.pid!, (pid) => readParentPid(pid))).toBe(false);
    } finally {
      sh.kill('SIGKILL');
    }
  });
});
