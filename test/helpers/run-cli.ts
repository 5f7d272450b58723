import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './fixtures.js';

/** A settings folder of its own, so no test reads the settings of whoever runs the tests. */
export function freshConfigDir(): string {
  return mkdtempSync(join(tmpdir(), 'gpumon-config-'));
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built gpumon (bin/gpumon.js) as a user would, without a terminal. */
export function gpumon(args: readonly string[], env: Record<string, string | undefined> = {}): CliResult {
  const base = { ...process.env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CUDA_VISIBLE_DEVICES', 'GPUMON_NVIDIA_SMI', 'COLUMNS']) delete base[k];
  for (const k of Object.keys(base)) if (k.startsWith('FAKE_SMI_')) delete base[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...base, GPUMON_CONFIG_DIR: freshConfigDir(), ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Node stack frame, which users must never see. */
export const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;
