import { DEFAULT_THRESHOLDS, type ThresholdSet, type Thresholds } from '../model/derive.js';
import { SORT_COLUMNS, type SortColumn } from '../model/processes.js';
import { type BenchPresets, isBenchPresets, parseBenchPresets, showBenchPresets } from './bench-presets.js';
import { type AlertLimits, DEFAULT_ALERT_LIMITS } from '../model/alerts.js';

/**
 * gpumon's settings: every key, its default, what it allows, and how to read
 * it from the command line (`gpumon config set KEY VALUE`) and from the file.
 * Flags override settings; settings override these defaults.
 */

export const VIEWS = ['auto', 'full', 'compact'] as const;
export type ViewMode = (typeof VIEWS)[number];
export const THEMES = ['dark', 'light'] as const;

export interface Settings {
  readonly interval: number; // seconds
  readonly view: ViewMode;
  readonly theme: (typeof THEMES)[number];
  readonly sort: SortColumn;
  readonly 'sort.descending': boolean;
  readonly ascii: boolean;
  readonly readonly: boolean;
  readonly 'thresholds.utilization': Thresholds;
  readonly 'thresholds.memory': Thresholds;
  readonly 'thresholds.temperature': Thresholds;
  readonly 'thresholds.power': Thresholds;
  readonly 'bench.presets': BenchPresets;
  readonly 'record.retention.full': number; // hours
  readonly 'record.retention.minute': number; // days
  // Alerts and fleet (gpumon serve, --remote, --check).
  readonly 'alerts.temperature': number; // °C
  readonly 'alerts.temperature.seconds': number;
  readonly 'alerts.memory': number; // %
  readonly 'alerts.idle.minutes': number;
  readonly remote: readonly string[];
}

export type SettingName = keyof Settings;

/** Thrown with a message that names the key and what it allows. */
export class BadSetting extends Error {}

interface Key<T> {
  readonly default: T;
  readonly allowed: string;
  readonly help: string;
  /** From `config set` text. */
  readonly parse: (text: string) => T | undefined;
  /** From the JSON file. */
  readonly accepts: (value: unknown) => value is T;
  readonly show?: (value: T) => string;
}

function oneOf<const T extends string>(values: readonly T[], fallback: T, help: string): Key<T> {
  const accepts = (v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);
  return { default: fallback, allowed: `one of ${values.join(', ')}`, help, parse: (t) => (accepts(t) ? t : undefined), accepts };
}

function bool(fallback: boolean, help: string): Key<boolean> {
  return {
    default: fallback,
    allowed: 'true or false',
    help,
    parse: (t) => ({ true: true, false: false, yes: true, no: false, on: true, off: false })[t.toLowerCase()],
    accepts: (v): v is boolean => typeof v === 'boolean',
  };
}

function number(fallback: number, min: number, max: number, help: string): Key<number> {
  const accepts = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
  return { default: fallback, allowed: `a number from ${min} to ${max}`, help, parse: (t) => (/^\d+(\.\d+)?$/.test(t) && accepts(Number(t)) ? Number(t) : undefined), accepts };
}

function thresholds(fallback: Thresholds, max: number, unit: string, help: string): Key<Thresholds> {
  const accepts = (v: unknown): v is Thresholds =>
    Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x >= 0 && x <= max) && v[0] <= v[1];
  return {
    default: fallback,
    allowed: `two numbers "MODERATE,HIGH" from 0 to ${max}${unit}, the first not above the second`,
    help,
    parse: (t) => {
      const v = t.split(',').map((x) => (/^\s*\d+(\.\d+)?\s*$/.test(x) ? Number(x) : NaN));
      return accepts(v) ? (v as unknown as Thresholds) : undefined;
    },
    accepts,
    show: (v) => v.join(','),
  };
}

/** A comma-separated list of gpumon server URLs (http://host:port); empty for none. */
function urlList(help: string): Key<readonly string[]> {
  const isUrl = (u: unknown) => typeof u === 'string' && /^https?:\/\/[^\s/,]+(\/[^\s,]*)?$/.test(u);
  const accepts = (v: unknown): v is readonly string[] => Array.isArray(v) && v.every(isUrl);
  return {
    default: [],
    allowed: 'comma-separated server URLs, e.g. http://node1:9400,http://node2:9400 (empty for none)',
    help,
    parse: (t) => {
      const v = t.split(',').map((u) => u.trim()).filter(Boolean);
      return accepts(v) ? v : undefined;
    },
    accepts,
    show: (v) => v.join(','),
  };
}

export const KEYS: { readonly [K in SettingName]: Key<Settings[K]> } = {
  interval: number(1, 0.1, 3600, 'seconds between samples in the monitor'),
  view: oneOf(VIEWS, 'auto', 'monitor layout: auto picks compact for small terminals'),
  theme: oneOf(THEMES, 'dark', 'colors for dark or light terminal backgrounds'),
  sort: oneOf(SORT_COLUMNS, 'gpu', 'process table sort column'),
  'sort.descending': bool(false, 'sort the process table from high to low'),
  ascii: bool(false, 'draw with ASCII only'),
  readonly: bool(false, 'never offer to signal processes'),
  'thresholds.utilization': thresholds(DEFAULT_THRESHOLDS.utilization, 100, '%', 'utilization colors: moderate from, high from'),
  'thresholds.memory': thresholds(DEFAULT_THRESHOLDS.memory, 100, '%', 'memory colors: moderate from, high from'),
  'thresholds.temperature': thresholds(DEFAULT_THRESHOLDS.temperature, 150, '°C', 'temperature colors: moderate from, high from'),
  'thresholds.power': thresholds(DEFAULT_THRESHOLDS.power, 200, '% of the limit', 'power colors: moderate from, high from'),
  'bench.presets': {
    default: {},
    allowed: 'a JSON object of name -> {"base-url", "endpoint", "model", "request-rate", "max-concurrency", "num-prompts", "duration", "random-input-len", "random-output-len", "server-metrics"}',
    help: 'named bench http setups (the monitor\'s b panel, --preset NAME)',
    parse: parseBenchPresets,
    accepts: isBenchPresets,
    show: showBenchPresets,
  },
  'record.retention.full': number(24, 0.1, 8760, 'hours the history database keeps every sample'),
  'record.retention.minute': number(30, 1, 3650, 'days it keeps per-minute means, minima and maxima after that'),
  'alerts.temperature': number(DEFAULT_ALERT_LIMITS.temperatureC, 0, 150, 'alert when a GPU is hotter than this many °C...'),
  'alerts.temperature.seconds': number(DEFAULT_ALERT_LIMITS.temperatureForSeconds, 0, 86400, '...for this many seconds without a break'),
  'alerts.memory': number(DEFAULT_ALERT_LIMITS.memoryPercent, 0, 100, 'alert when more than this % of GPU memory is used'),
  'alerts.idle.minutes': number(DEFAULT_ALERT_LIMITS.idleMinutes, 0, 10080, 'alert when processes hold memory on a GPU idle this many minutes'),
  remote: urlList('gpumon servers the monitor, --once and --json read (as --remote)'),
};

export const SETTING_NAMES = Object.keys(KEYS) as SettingName[];

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(KEYS, name);
}

export function defaultSettings(): Settings {
  return Object.fromEntries(SETTING_NAMES.map((k) => [k, KEYS[k].default])) as unknown as Settings;
}

/** `config set` text -> the value to store; BadSetting names the key and what it allows. */
export function parseSetting(name: string, text: string): unknown {
  if (!isSettingName(name)) throw new BadSetting(`there is no setting '${name}' (there are: ${SETTING_NAMES.join(', ')})`);
  const value = KEYS[name].parse(text.trim());
  if (value === undefined) throw new BadSetting(`${name}: '${text}' is not allowed; use ${KEYS[name].allowed}`);
  return value;
}

export function showSetting(name: SettingName, value: unknown): string {
  const show = KEYS[name].show as ((v: unknown) => string) | undefined;
  return show ? show(value) : String(value);
}

/**
 * The settings from what the file holds (flat, dotted keys). A value the file
 * holds but gpumon cannot use is not used: it is reported, and the default
 * applies, so a hand-edited file never stops the monitor.
 */
export function resolveSettings(stored: Readonly<Record<string, unknown>>): { settings: Settings; problems: string[] } {
  const settings: Record<string, unknown> = { ...defaultSettings() };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(stored)) {
    if (!isSettingName(name)) {
      problems.push(`unknown setting '${name}' ignored`);
      continue;
    }
    if (KEYS[name].accepts(value)) settings[name] = value;
    else problems.push(`${name}: ${JSON.stringify(value)} is not allowed (use ${KEYS[name].allowed}); using ${showSetting(name, KEYS[name].default)}`);
  }
  return { settings: settings as unknown as Settings, problems };
}

export function thresholdsOf(s: Settings): ThresholdSet {
  return {
    utilization: s['thresholds.utilization'],
    memory: s['thresholds.memory'],
    temperature: s['thresholds.temperature'],
    power: s['thresholds.power'],
  };
}

export function alertLimitsOf(s: Settings): AlertLimits {
  return {
    temperatureC: s['alerts.temperature'],
    temperatureForSeconds: s['alerts.temperature.seconds'],
    memoryPercent: s['alerts.memory'],
    idleMinutes: s['alerts.idle.minutes'],
  };
}
