import type { CommonOptions } from '../shared/options.js';

/** The root command's options: what `--once` reads, and the monitor's own. */
export interface MonitorOptions extends CommonOptions {
  readonly readonly?: boolean;
  /** --record [PATH]: true for the default path. */
  readonly record?: string | true;
}
