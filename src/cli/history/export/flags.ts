import type { RangeFlags } from '../flags.js';

export interface ExportFlags extends RangeFlags {
  readonly format: 'csv' | 'json';
  readonly out?: string;
}
