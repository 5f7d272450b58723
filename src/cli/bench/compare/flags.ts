export interface BenchCompareFlags {
  readonly label?: readonly string[];
  readonly json?: boolean;
  readonly markdown?: boolean;
  /** `gpumon --ascii bench compare ...` (the root command's flag). */
  readonly ascii?: boolean;
}
