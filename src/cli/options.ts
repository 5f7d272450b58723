import { type Command, InvalidArgumentError, Option } from 'commander';
import { type GpuSelection, parseCudaVisibleDevices, parseOnlyList } from '../model/select.js';
import { DEFAULT_DEMO, DEMO_RECORDINGS, type DemoName } from '../sampler/demo.js';
import type { Settings } from '../config/settings.js';
import type { OpenSourceOptions } from '../sampler/open.js';
import { UsageError } from './errors.js';

/** The options of every mode that reads GPUs (see addSourceOptions). */
export interface SourceFlags {
  readonly demo?: string | boolean;
  readonly nvidiaSmi?: string;
  readonly only?: string;
  readonly onlyVisible?: boolean;
  /** ms; undefined when not given (the setting applies). */
  readonly interval?: number;
  readonly timeout: number;
}

/** The root command's options. */
export interface CommonOptions extends SourceFlags {
  readonly once?: boolean;
  readonly json?: boolean;
  readonly compact?: boolean;
  readonly ascii?: boolean;
}

export function smiPath(opts: SourceFlags, env: NodeJS.ProcessEnv): string {
  return opts.nvidiaSmi ?? env.GPUMON_NVIDIA_SMI ?? 'nvidia-smi';
}

export function demoName(opts: SourceFlags): DemoName | null {
  if (opts.demo === undefined || opts.demo === false) return null;
  if (opts.demo === true) return DEFAULT_DEMO;
  if ((DEMO_RECORDINGS as readonly string[]).includes(opts.demo)) return opts.demo as DemoName;
  throw new UsageError(`--demo: no recording named '${opts.demo}' (there are: ${DEMO_RECORDINGS.join(', ')})`);
}

export function gpuSelection(opts: SourceFlags, env: NodeJS.ProcessEnv): GpuSelection {
  if (opts.only !== undefined && opts.onlyVisible) throw new UsageError('--only and --only-visible cannot be used together');
  if (opts.only !== undefined) {
    const list = parseOnlyList(opts.only);
    if (list.length === 0) throw new UsageError('--only needs GPU indices or UUIDs, e.g. --only 0,2');
    return list;
  }
  return opts.onlyVisible ? parseCudaVisibleDevices(env.CUDA_VISIBLE_DEVICES) : null;
}

/** How the user chose GPUs, for messages. */
export function selectionName(opts: SourceFlags, env: NodeJS.ProcessEnv): string {
  return opts.onlyVisible ? `CUDA_VISIBLE_DEVICES=${env.CUDA_VISIBLE_DEVICES ?? ''}` : `--only ${opts.only ?? ''}`;
}

/** What openSource() needs, from the flags (and the interval setting when no flag gives one). */
export function sourceOptions(opts: SourceFlags, env: NodeJS.ProcessEnv, settings: Pick<Settings, 'interval'>): OpenSourceOptions {
  return {
    demo: demoName(opts),
    smiPath: smiPath(opts, env),
    timeoutMs: opts.timeout,
    intervalMs: opts.interval ?? settings.interval * 1000,
    selection: gpuSelection(opts, env),
    selectionName: selectionName(opts, env),
  };
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

/** Wraps a parser so that its UsageError reads like commander's own errors (exit 2). */
export function optionParser<T>(parse: (text: string) => T) {
  return (text: string): T => {
    try {
      return parse(text);
    } catch (e) {
      throw e instanceof UsageError ? new InvalidArgumentError(e.message) : e;
    }
  };
}

/**
 * The options every GPU-reading command takes: where the data comes from,
 * which GPUs, how often.
 */
export function addSourceOptions(cmd: Command): Command {
  const seconds = (flag: string, min: number, max: number) => optionParser(parseSeconds(flag, min, max));
  return cmd
    .addOption(new Option('--demo [recording]', `replay recorded H100 data (${DEMO_RECORDINGS.join(', ')})`))
    .option('--nvidia-smi <path>', 'nvidia-smi to run (or $GPUMON_NVIDIA_SMI)')
    .option('--only <gpus>', 'only these GPUs: indices or UUIDs, e.g. 0,2')
    .option('--only-visible', 'only the GPUs CUDA_VISIBLE_DEVICES shows')
    .addOption(new Option('-i, --interval <seconds>', 'seconds between samples (default: 1, or the setting)').argParser(seconds('--interval', 0.1, 3600)))
    .addOption(new Option('--timeout <seconds>', 'kill a hung nvidia-smi after this').argParser(seconds('--timeout', 0.1, 600)).default(10_000, '10'));
}
