import { UsageError } from '../../../exit-status.js';
import { optionParser, parseCount, type SourceFlags } from '../../shared/options.js';

/** `gpumon bench http` flags as commander gives them (vLLM's `bench serve` names). */
export interface BenchHttpFlags extends SourceFlags {
  readonly baseUrl?: string;
  readonly endpoint?: string;
  readonly model?: string;
  readonly apiKey?: string;
  readonly preset?: string;
  readonly numPrompts?: number;
  readonly requestRate?: number;
  readonly burstiness: number;
  readonly maxConcurrency?: number;
  readonly numWarmups: number;
  readonly randomInputLen?: number;
  readonly randomOutputLen?: number;
  readonly ignoreEos?: boolean;
  readonly percentileMetrics: string;
  readonly metricPercentiles: string;
  readonly goodput?: readonly string[];
  readonly saveResult?: boolean;
  readonly saveDetailed?: boolean;
  readonly resultFilename?: string;
  /** ms */
  readonly duration?: number;
  readonly iterations: number;
  readonly seed: number;
  /** ms */
  readonly idleTimeout: number;
  /** ms */
  readonly idleBaseline: number;
  readonly serverMetrics?: string;
  readonly historyDb?: string;
}

export const wholeNumber = (flag: string, min: number) => optionParser(parseCount(flag, min, Number.MAX_SAFE_INTEGER));

export const parseRate = (text: string): number => {
  if (text.trim().toLowerCase() === 'inf') return Infinity;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--request-rate: '${text}' is not a rate above 0 (requests/s) or inf`);
  return n;
};

export const positiveNumber = (flag: string) =>
  optionParser((text: string) => {
    const n = Number(text);
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag}: '${text}' is not a number above 0`);
    return n;
  });
