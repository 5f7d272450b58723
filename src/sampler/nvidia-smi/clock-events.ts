import type { ClockEventReason } from '../../model/types.js';
import type { Parsed } from './cells.js';
import { readCell } from './cells.js';

/**
 * Bits of nvmlClocksEventReasons (nvml.h); `clocks_event_reasons.active`
 * prints the 64-bit mask in hex. Every named bit is in the low 32 bits.
 */
export const CLOCK_EVENT_BITS: ReadonlyArray<readonly [number, ClockEventReason]> = [
  [0x1, 'gpu_idle'],
  [0x2, 'applications_clocks_setting'],
  [0x4, 'sw_power_cap'],
  [0x8, 'hw_slowdown'],
  [0x10, 'sync_boost'],
  [0x20, 'sw_thermal_slowdown'],
  [0x40, 'hw_thermal_slowdown'],
  [0x80, 'hw_power_brake_slowdown'],
  [0x100, 'display_clock_setting'],
];

/** The low 32 bits of the mask -> names. Unknown bits are ignored: they have no name yet. */
export function decodeClockEventMask(mask: number): ClockEventReason[] {
  return CLOCK_EVENT_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}

export function readClockEventReasons(raw: string | undefined): Parsed<ClockEventReason[]> {
  const cell = readCell(raw);
  if (!cell.ok) return { value: null, reason: cell.reason };
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(cell.text)) return { value: null, reason: 'unparseable' };
  return { value: decodeClockEventMask(parseInt(cell.text.slice(-8), 16)) };
}
