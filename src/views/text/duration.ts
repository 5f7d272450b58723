import { NA } from '../format.js';

/**
 * hyperfine's time units: seconds with three decimals, milliseconds and
 * microseconds with one; automatically ms under a second, else s.
 */
export type TimeUnit = 'µs' | 'ms' | 's';

/** `--time-unit` values, as hyperfine names them. */
export const TIME_UNIT_NAMES = { microsecond: 'µs', millisecond: 'ms', second: 's' } as const satisfies Record<string, TimeUnit>;

export function autoUnit(seconds: number): TimeUnit {
  return seconds < 1 ? 'ms' : 's';
}

/** The number alone, in `unit`: 13.8 (ms), 0.055 (s). */
export function fmtDurationValue(seconds: number, unit: TimeUnit): string {
  return unit === 's' ? seconds.toFixed(3) : (seconds * (unit === 'ms' ? 1e3 : 1e6)).toFixed(1);
}

/** With the unit: 13.8 ms; N/A for null. */
export function fmtDuration(seconds: number | null, unit: TimeUnit): string {
  return seconds === null ? NA : `${fmtDurationValue(seconds, unit)} ${unit}`;
}
