import { type ClockEventReason, decodeClockEventMask } from '../../model/clock-events.js';
import type { Parsed } from './cells.js';
import { readCell } from './cells.js';

/** A `clocks_event_reasons.active` cell: the 64-bit mask in hex, read into names. */
export function readClockEventReasons(raw: string | undefined): Parsed<ClockEventReason[]> {
  const cell = readCell(raw);
  if (!cell.ok) return { value: null, reason: cell.reason };
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(cell.text)) return { value: null, reason: 'unparseable' };
  return { value: decodeClockEventMask(parseInt(cell.text.slice(-8), 16)) };
}
