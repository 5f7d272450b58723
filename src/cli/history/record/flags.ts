import type { SourceFlags } from '../../shared/options.js';

export interface RecordFlags extends SourceFlags {
  readonly db?: string;
  readonly label?: string;
  /** ms */
  readonly duration?: number;
}
