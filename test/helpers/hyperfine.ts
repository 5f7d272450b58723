import type { RunResultEntry, RunResultFile } from '../../src/bench/run-result.js';
import { hyperfineFile } from './fixtures.js';

/** hyperfine's own JSON as a gpumon result file: its numbers, and no GPU, CPU or run details beyond them. */
export function fromHyperfine(name: string): RunResultFile {
  const doc = JSON.parse(hyperfineFile(`${name}.json`)) as { results: Omit<RunResultEntry, 'runs' | 'gpu'>[] };
  return {
    kind: 'run',
    gpumon_version: 'test',
    date: '2026-12-04T00:00:00.000Z',
    stopped: null,
    gpu_note: 'none',
    cpu_note: null,
    warmup: 0,
    shell_spawn: null,
    results: doc.results.map((r) => ({
      ...r,
      memory_usage_byte: [],
      command_line: r.command,
      reference: false,
      prepare: null,
      runs: [],
      gpu: null,
      gpu_energy_j_per_run: null,
      warnings: [],
    })),
  };
}

