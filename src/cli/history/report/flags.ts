import type { RangeFlags } from '../flags.js';

export interface ReportFlags extends RangeFlags {
  readonly out: string;
}
