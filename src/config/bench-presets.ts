/**
 * `bench.presets`: named `bench http` setups (the monitor's benchmark panel
 * offers them; `gpumon bench http --preset NAME` uses one). One structured
 * setting among the flat ones: a JSON object of name -> preset, each key a
 * `bench http` flag without its dashes. Set with
 * `gpumon config set bench.presets '{"local": {"base-url": "http://127.0.0.1:8000", "request-rate": 10}}'`.
 */
export interface BenchPreset {
  readonly 'base-url'?: string;
  readonly endpoint?: string;
  readonly model?: string;
  readonly 'request-rate'?: number | 'inf';
  readonly 'max-concurrency'?: number;
  readonly 'num-prompts'?: number;
  readonly duration?: number;
  readonly 'random-input-len'?: number;
  readonly 'random-output-len'?: number;
  readonly 'server-metrics'?: string;
}

export type BenchPresets = Readonly<Record<string, BenchPreset>>;

const STRING_KEYS = ['base-url', 'endpoint', 'model', 'server-metrics'] as const;
const COUNT_KEYS = ['max-concurrency', 'num-prompts', 'random-input-len', 'random-output-len'] as const;

/** Why `value` is not a preset, or null when it is one. */
function presetProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  for (const [k, v] of Object.entries(value)) {
    if ((STRING_KEYS as readonly string[]).includes(k)) {
      if (typeof v !== 'string' || !v) return `${k} must be text`;
    } else if ((COUNT_KEYS as readonly string[]).includes(k)) {
      if (!Number.isInteger(v) || (v as number) < 1) return `${k} must be a whole number from 1`;
    } else if (k === 'request-rate') {
      if (v !== 'inf' && !(typeof v === 'number' && v > 0)) return 'request-rate must be a number above 0 or "inf"';
    } else if (k === 'duration') {
      if (!(typeof v === 'number' && v > 0)) return 'duration must be seconds above 0';
    } else return `has an unknown key '${k}'`;
  }
  return null;
}

export function isBenchPresets(value: unknown): value is BenchPresets {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((p) => presetProblem(p) === null);
}

/** `config set` text -> presets; undefined when it is not valid JSON of presets. */
export function parseBenchPresets(text: string): BenchPresets | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isBenchPresets(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export const showBenchPresets = (p: BenchPresets): string => (Object.keys(p).length ? JSON.stringify(p) : '{}');
