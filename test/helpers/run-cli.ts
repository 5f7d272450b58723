import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

/** Who runs gpumon, where, and which copy of it (`cli`: bin/gpumon.js by default). */
export interface RunAs {
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly cli?: string;
}

/** Runs the built gpumon (bin/gpumon.js) as a user would, without a terminal; `as` sets its folder or user. */
export function gpumon(args: readonly string[], env: Record<string, string | undefined> = {}, { cli = CLI, ...as }: RunAs = {}): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], { env: cliEnv(env), encoding: 'utf8', timeout: 30_000, ...as });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The unprivileged user (nobody) running gpumon, when the tests run as root (who can write
 * anything): on a copy of the built gpumon that anyone can read, since the checkout may lie in
 * a folder only its owner can enter. Empty when the tests already run unprivileged.
 */
export function asUnprivileged(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const root = dirname(dirname(CLI));
  const copy = mkdtempSync(join(tmpdir(), 'gpumon-install-'));
  // What npm installs (package.json's files), and the one dependency left out of the bundle.
  const { files } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
  const sqlite = ['package.json', 'lib', 'build/Release/better_sqlite3.node'].map((p) => `node_modules/better-sqlite3/${p}`);
  for (const p of ['package.json', ...files, ...sqlite, 'node_modules/bindings', 'node_modules/file-uri-to-path'])
    cpSync(join(root, p), join(copy, p), { recursive: true, dereference: true });
  for (const p of ['', ...readdirSync(copy, { recursive: true, encoding: 'utf8' })]) {
    const path = join(copy, p);
    const stat = statSync(path);
    chmodSync(path, stat.mode | (stat.isDirectory() ? 0o555 : 0o444));
  }
  return { uid: 65534, gid: 65534, cwd: copy, cli: join(copy, 'bin', 'gpumon.js') };
}

/** A data folder of its own ($XDG_DATA_HOME), so no test reads or writes the history database of whoever runs the tests. */
export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'gpumon-data-'));
}

/** The environment the CLI runs in under test: nothing from whoever runs the tests, fresh settings and data folders. */
function cliEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CUDA_VISIBLE_DEVICES', 'GPUMON_NVIDIA_SMI', 'COLUMNS', 'OPENAI_API_KEY']) delete base[k];
  for (const k of Object.keys(base)) if (k.startsWith('FAKE_SMI_')) delete base[k];
  return { ...base, GPUMON_CONFIG_DIR: freshConfigDir(), XDG_DATA_HOME: freshDataDir(), ...env };
}

/** A running gpumon, for tests whose server lives in the test process (spawnSync would block it) or that signal it. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
  done: Promise<CliResult>;
}

export function spawnGpumon(args: readonly string[], env: Record<string, string | undefined> = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** A Node stack frame, which users must never see. */
export const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;
