import type { GpuSample, Snapshot } from './types.js';

/**
 * Which GPUs to show: `--only 0,2` and `--only-visible` (CUDA_VISIBLE_DEVICES).
 * A token is an index, a UUID or a unique UUID prefix (as CUDA accepts), or a
 * PCI bus id.
 */
export type GpuSelection = readonly string[] | null;

export function parseOnlyList(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * CUDA_VISIBLE_DEVICES as CUDA reads it: unset means every GPU; an empty
 * value, or one starting with an invalid entry, means none; reading stops at
 * the first invalid entry (`0,1,-1,2` is GPUs 0 and 1).
 */
export function parseCudaVisibleDevices(value: string | undefined): GpuSelection {
  if (value === undefined) return null;
  const tokens: string[] = [];
  for (const raw of value.split(',')) {
    const t = raw.trim();
    if (!/^(\d+|GPU-[0-9a-fA-F-]+|MIG-[0-9a-zA-Z/-]+)$/.test(t)) break;
    tokens.push(t);
  }
  return tokens;
}

function matches(gpu: GpuSample, token: string): boolean {
  if (/^\d+$/.test(token)) return gpu.index === Number(token);
  const t = token.toLowerCase();
  if (t.startsWith('gpu-')) return gpu.uuid.toLowerCase().startsWith(t);
  return gpu.pciBusId !== null && gpu.pciBusId.toLowerCase().endsWith(t);
}

/** Tokens that match no GPU in the snapshot (to tell the user). */
export function unmatchedTokens(snapshot: Snapshot, selection: GpuSelection): string[] {
  if (selection === null) return [];
  return selection.filter((t) => !snapshot.gpus.some((g) => matches(g, t)));
}

/** The snapshot with only the selected GPUs and their processes, in the selection's order. */
export function selectGpus(snapshot: Snapshot, selection: GpuSelection): Snapshot {
  if (selection === null) return snapshot;
  const chosen: GpuSample[] = [];
  for (const token of selection)
    for (const gpu of snapshot.gpus) if (matches(gpu, token) && !chosen.includes(gpu)) chosen.push(gpu);
  const uuids = new Set(chosen.map((g) => g.uuid));
  return { ...snapshot, gpus: chosen, processes: snapshot.processes.filter((p) => uuids.has(p.gpuUuid)) };
}
