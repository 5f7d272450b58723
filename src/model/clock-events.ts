/**
 * Bits of nvmlClocksEventReasons (nvml.h) and their names: what a clock event
 * (throttle) reason means, wherever the mask travels (nvidia-smi's
 * `clocks_event_reasons.active`, the history database, `/metrics`). Every
 * named bit is in the low 32 bits.
 */
export const CLOCK_EVENT_BITS = [
  [0x1, 'gpu_idle'],
  [0x2, 'applications_clocks_setting'],
  [0x4, 'sw_power_cap'],
  [0x8, 'hw_slowdown'],
  [0x10, 'sync_boost'],
  [0x20, 'sw_thermal_slowdown'],
  [0x40, 'hw_thermal_slowdown'],
  [0x80, 'hw_power_brake_slowdown'],
  [0x100, 'display_clock_setting'],
] as const satisfies ReadonlyArray<readonly [number, string]>;

/** Names for the bits of `clocks_event_reasons.active` (NVML nvmlClocksEventReason*). */
export type ClockEventReason = (typeof CLOCK_EVENT_BITS)[number][1];

/** The low 32 bits of the mask -> names. Unknown bits are ignored: they have no name yet. */
export function decodeClockEventMask(mask: number): ClockEventReason[] {
  return CLOCK_EVENT_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}

/** Names -> the mask, as NVML sets it. */
export function encodeClockEventMask(reasons: readonly ClockEventReason[]): number {
  return CLOCK_EVENT_BITS.reduce((mask, [bit, name]) => (reasons.includes(name) ? mask | bit : mask), 0);
}

/** The reasons that slow the clocks below what the load asks for (not idle, not a setting): what "throttled" means. */
export const SLOWDOWN_REASONS: readonly ClockEventReason[] = ['sw_power_cap', 'hw_slowdown', 'sw_thermal_slowdown', 'hw_thermal_slowdown', 'hw_power_brake_slowdown'];
