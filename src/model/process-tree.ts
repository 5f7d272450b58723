import type { GpuProcess } from './types.js';

/**
 * A command's process tree, from parent links (what /proc/[pid]/stat says
 * each process's parent is). Pure: the caller reads /proc, tests make trees up.
 */

/** Parent pid of a live pid, or null when it is gone or not visible. */
export type ParentOf = (pid: number) => number | null;

/** Whether `pid` is `root` or one of its descendants, by walking up its parents. */
export function inTree(pid: number, root: number, parentOf: ParentOf): boolean {
  // A bound on the walk: a parent table read while processes come and go may hold a loop.
  for (let p: number | null = pid, steps = 0; p !== null && p > 0 && steps < 4096; p = parentOf(p), steps++) {
    if (p === root) return true;
  }
  return false;
}

/**
 * GPU memory the tree holds now: the sum over the snapshot's GPU processes
 * whose pid is in the tree (one process on two GPUs counts twice, as its
 * memory does). 0 when none of them is on a GPU.
 */
export function treeGpuMemoryMiB(processes: readonly GpuProcess[], root: number, parentOf: ParentOf): number {
  let sum = 0;
  for (const p of processes) if (p.gpuMemoryMiB !== null && inTree(p.pid, root, parentOf)) sum += p.gpuMemoryMiB;
  return sum;
}

/** Every descendant of `root` (not root itself), from a whole parent table, parents before children. */
export function descendants(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const seen = new Set([root]);
  for (let queue = [root]; queue.length; ) {
    const next: number[] = [];
    for (const p of queue)
      for (const c of children.get(p) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        out.push(c);
        next.push(c);
      }
    queue = next;
  }
  return out;
}
