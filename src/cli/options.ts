import { type GpuSelection, parseCudaVisibleDevices, parseOnlyList } from '../model/select.js';
import { DEFAULT_DEMO, DEMO_RECORDINGS, type DemoName } from '../sampler/demo.js';

/** The options every mode shares, as parsed from the command line. */
export interface CommonOptions {
  readonly once?: boolean;
  readonly json?: boolean;
  readonly compact?: boolean;
  readonly demo?: string | boolean;
  readonly ascii?: boolean;
  readonly nvidiaSmi?: string;
  readonly only?: string;
  readonly onlyVisible?: boolean;
  readonly interval: number;
  readonly timeout: number;
}

/** Thrown for a bad command line: printed as one line, exit status 2. */
export class UsageError extends Error {}

export function smiPath(opts: CommonOptions, env: NodeJS.ProcessEnv): string {
  return opts.nvidiaSmi ?? env.GPUMON_NVIDIA_SMI ?? 'nvidia-smi';
}

export function demoName(opts: CommonOptions): DemoName | null {
  if (opts.demo === undefined || opts.demo === false) return null;
  if (opts.demo === true) return DEFAULT_DEMO;
  if ((DEMO_RECORDINGS as readonly string[]).includes(opts.demo)) return opts.demo as DemoName;
  throw new UsageError(`--demo: no recording named '${opts.demo}' (there are: ${DEMO_RECORDINGS.join(', ')})`);
}

export function gpuSelection(opts: CommonOptions, env: NodeJS.ProcessEnv): GpuSelection {
  if (opts.only !== undefined && opts.onlyVisible) throw new UsageError('--only and --only-visible cannot be used together');
  if (opts.only !== undefined) {
    const list = parseOnlyList(opts.only);
    if (list.length === 0) throw new UsageError('--only needs GPU indices or UUIDs, e.g. --only 0,2');
    return list;
  }
  return opts.onlyVisible ? parseCudaVisibleDevices(env.CUDA_VISIBLE_DEVICES) : null;
}

/** How the user chose GPUs, for messages. */
export function selectionName(opts: CommonOptions, env: NodeJS.ProcessEnv): string {
  return opts.onlyVisible ? `CUDA_VISIBLE_DEVICES=${env.CUDA_VISIBLE_DEVICES ?? ''}` : `--only ${opts.only ?? ''}`;
}

/** Parses a positive number of seconds (`1`, `0.5`, `2s`, `500ms`) to ms. */
export function parseSeconds(flag: string, min: number, max: number) {
  return (text: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
    const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) : NaN;
    if (!(ms >= min * 1000 && ms <= max * 1000))
      throw new UsageError(`${flag}: '${text}' is not a time between ${min} and ${max} seconds (e.g. 1, 0.5, 500ms)`);
    return ms;
  };
}
