import type { SourceFlags } from '../../shared/options.js';

export interface BenchRunFlags extends SourceFlags {
  readonly runs: number;
  readonly warmup: number;
  readonly prepare?: string;
  readonly exportJson?: string;
  readonly ignoreFailure?: boolean;
  readonly showOutput?: boolean;
  readonly json?: boolean;
  /** ms; a run still going after this is ended and fails. */
  readonly runTimeout?: number;
  /** ms of idle power measured before the first run. */
  readonly baseline: number;
  readonly historyDb?: string;
  /** `gpumon --ascii bench run ...`: the root command's flag (only that one: commander's optsWithGlobals lets the root's defaults override these). */
  readonly ascii?: boolean;
}
