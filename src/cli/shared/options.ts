import { type Command, InvalidArgumentError, Option } from 'commander';
import { type GpuSelection, parseCudaVisibleDevices, parseOnlyList } from '../../model/select.js';
import { DEFAULT_DEMO, DEMO_RECORDINGS, type DemoName } from '../../sampler/demo.js';
import { BadSetting, parseSetting, type Settings, thresholdsOf } from '../../config/settings.js';
import type { ThresholdSet } from '../../model/derive.js';
import type { OpenSourceOptions } from '../../sampler/open.js';
import type { ReadSnapshotOptions } from '../../sampler/read-snapshot.js';
import { UsageError } from '../../exit-status.js';

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
  readonly theme?: string;
  readonly threshold?: readonly string[];
  /** `--remote URL,URL`: other gpumon servers to read (see cli/serve.ts). */
  readonly remote?: string;
  /** `--check`: alerts instead of the snapshot, with an exit status. */
  readonly check?: boolean;
}

/** How text views look: settings, with the flags laid over them. */
export interface Appearance {
  readonly ascii: boolean;
  readonly theme: Settings['theme'];
  readonly thresholds: ThresholdSet;
}

/** `--theme light --threshold temperature=70,85 --ascii` over the settings; a bad value is a usage error naming what is allowed. */
export function appearance(opts: CommonOptions, settings: Settings): Appearance {
  const set = (name: string, text: string) => {
    try {
      return parseSetting(name, text);
    } catch (e) {
      // Name the flag, not the setting: "--threshold temperature: '9,1' is not allowed; use ...".
      const flag = name.startsWith('thresholds.') ? `--threshold ${name.slice('thresholds.'.length)}` : `--${name}`;
      throw e instanceof BadSetting ? new UsageError(e.message.replace(name, flag)) : e;
    }
  };
  const overrides: Partial<Settings> = {};
  if (opts.theme !== undefined) Object.assign(overrides, { theme: set('theme', opts.theme) });
  for (const t of opts.threshold ?? []) {
    const m = /^([a-z]+)=(.*)$/.exec(t);
    if (!m) throw new UsageError(`--threshold: '${t}' is not METRIC=MODERATE,HIGH (metrics: utilization, memory, temperature, power)`);
    Object.assign(overrides, { [`thresholds.${m[1]}`]: set(`thresholds.${m[1]}`, m[2]!) });
  }
  const merged = { ...settings, ...overrides };
  return { ascii: opts.ascii === true || merged.ascii, theme: merged.theme, thresholds: thresholdsOf(merged) };
}

function smiPath(opts: SourceFlags, env: NodeJS.ProcessEnv): string {
  return opts.nvidiaSmi ?? env.GPUMON_NVIDIA_SMI ?? 'nvidia-smi';
}

function demoName(opts: SourceFlags): DemoName | null {
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

/** What readSnapshot() needs, from the flags. */
export function snapshotOptions(opts: SourceFlags, env: NodeJS.ProcessEnv): ReadSnapshotOptions {
  return {
    demo: demoName(opts),
    smiPath: smiPath(opts, env),
    timeoutMs: opts.timeout,
    selection: gpuSelection(opts, env),
    selectionName: selectionName(opts, env),
  };
}

/** What openSource() needs, from the flags (and the interval setting when no flag gives one). */
export function sourceOptions(opts: SourceFlags, env: NodeJS.ProcessEnv, settings: Pick<Settings, 'interval'>): OpenSourceOptions {
  return { ...snapshotOptions(opts, env), intervalMs: opts.interval ?? settings.interval * 1000 };
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

/** A whole number from `min` to `max`. */
export function parseCount(flag: string, min: number, max: number) {
  return (text: string): number => {
    const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`${flag}: '${text}' is not a whole number from ${min} to ${max}`);
    return n;
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
export function addSourceOptions(cmd: Command, interval: { readonly short?: boolean; readonly help?: string } = {}): Command {
  const seconds = (flag: string, min: number, max: number) => optionParser(parseSeconds(flag, min, max));
  const intervalFlags = interval.short === false ? '--interval <seconds>' : '-i, --interval <seconds>';
  return cmd
    .addOption(new Option('--demo [recording]', `replay recorded H100 data (${DEMO_RECORDINGS.join(', ')})`))
    .option('--nvidia-smi <path>', 'nvidia-smi to run (or $GPUMON_NVIDIA_SMI)')
    .option('--only <gpus>', 'only these GPUs: indices or UUIDs, e.g. 0,2')
    .option('--only-visible', 'only the GPUs CUDA_VISIBLE_DEVICES shows')
    .addOption(new Option(intervalFlags, interval.help ?? 'seconds between samples (default: 1, or the setting)').argParser(seconds('--interval', 0.1, 3600)))
    .addOption(new Option('--timeout <seconds>', 'kill a hung nvidia-smi after this').argParser(seconds('--timeout', 0.1, 600)).default(10_000, '10'));
}
