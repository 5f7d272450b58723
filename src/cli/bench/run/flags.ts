import type { SourceFlags } from '../../shared/options.js';

/** `-P VAR MIN MAX` and `-L VAR VALUES`, as given. */
export interface ScanFlag {
  readonly name: string;
  readonly min: string;
  readonly max: string;
}
export interface ListFlag {
  readonly name: string;
  readonly values: string;
}

export interface BenchRunFlags extends SourceFlags {
  readonly runs?: number;
  readonly minRuns?: number;
  readonly maxRuns?: number;
  /** ms. */
  readonly minBenchmarkingTime: number;
  readonly warmup: number;
  readonly setup?: string;
  readonly prepare?: readonly string[];
  readonly conclude?: readonly string[];
  readonly cleanup?: string;
  readonly parameterScan?: ScanFlag;
  readonly parameterStepSize?: string;
  readonly parameterList?: readonly ListFlag[];
  readonly commandName?: readonly string[];
  readonly reference?: string;
  readonly shell?: string;
  /** -N. */
  readonly N?: boolean;
  readonly ignoreFailure?: boolean;
  readonly style: 'auto' | 'basic' | 'full' | 'nocolor' | 'color' | 'none';
  readonly sort: 'auto' | 'command' | 'mean-time';
  readonly timeUnit?: 'microsecond' | 'millisecond' | 'second';
  readonly showOutput?: boolean;
  readonly output?: readonly string[];
  readonly input?: string;
  readonly exportJson?: string;
  readonly exportCsv?: string;
  readonly exportMarkdown?: string;
  readonly exportAsciidoc?: string;
  readonly exportOrgmode?: string;
  readonly json?: boolean;
  /** ms; a run still going after this is ended and fails. */
  readonly runTimeout?: number;
  /** ms of idle power measured before the first run. */
  readonly baseline: number;
  readonly historyDb?: string;
  /** `gpumon --ascii bench run ...`: the root command's flag (only that one: commander's optsWithGlobals lets the root's defaults override these). */
  readonly ascii?: boolean;
}
