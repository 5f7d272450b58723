import { RunWindow } from './run-window.js';
import { summarize } from './stats.js';
import type { ClockEventReason, GpuSample, Snapshot } from './types.js';

/**
 * What `gpumon report` shows, computed from recorded samples: per GPU the
 * charted series (downsampled, keeping peaks) and a summary (mean, p95, max
 * of each metric; energy; time under each clock event reason). Pure: fed
 * the samples in time order.
 */

/** The charted metrics: [key, label, unit, GpuSample fields drawn]. */
export const REPORT_CHARTS = [
  ['utilization', 'Utilization', '%', ['utilizationGpu', 'utilizationMemory']],
  ['memory', 'Memory used', 'MiB', ['memoryUsedMiB']],
  ['power', 'Power', 'W', ['powerDrawW']],
  ['temperature', 'Temperature', '°C', ['temperatureGpuC', 'temperatureMemoryC']],
  ['clocks', 'Clocks', 'MHz', ['clockSmMHz', 'clockMemMHz']],
] as const satisfies ReadonlyArray<readonly [string, string, string, ReadonlyArray<keyof GpuSample>]>;

type ChartedField = (typeof REPORT_CHARTS)[number][3][number];
const CHARTED_FIELDS: readonly ChartedField[] = [...new Set(REPORT_CHARTS.flatMap(([, , , f]) => f))];

/** The metrics the summary table has mean, p95 and max of. */
export const SUMMARY_FIELDS = ['utilizationGpu', 'memoryUsedMiB', 'powerDrawW', 'temperatureGpuC', 'clockSmMHz'] as const satisfies readonly ChartedField[];

export interface MetricSummary {
  readonly mean: number;
  readonly p95: number;
  readonly max: number;
}

/** One chart's data: times (s since the epoch, uPlot's x) and one array per field; null is a gap. */
export interface ChartSeries {
  readonly t: number[];
  readonly values: Record<string, (number | null)[]>;
  /** Samples before downsampling. */
  readonly samples: number;
}

export interface GpuReport {
  readonly index: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly samples: number;
  readonly series: ChartSeries;
  readonly summary: Partial<Record<(typeof SUMMARY_FIELDS)[number], MetricSummary | null>>;
  readonly energyWh: number | null;
  /** Seconds under each clock event reason other than gpu_idle. */
  readonly throttledSeconds: Readonly<Partial<Record<ClockEventReason, number>>>;
}

export interface RecordedSample {
  readonly time: number;
  readonly gpus: readonly GpuSample[];
}

class GpuColumns {
  readonly t: number[] = [];
  readonly values = new Map<ChartedField, (number | null)[]>(CHARTED_FIELDS.map((f) => [f, []]));
  name: string | null = null;
  constructor(
    readonly index: number,
    readonly uuid: string,
  ) {}
}

/**
 * Reduces a series to at most `2 * buckets` points: per bucket of equal
 * time, its minimum and its maximum in the order they happened, so a short
 * peak survives any zoom level. A bucket with no value is one gap.
 */
export function downsampleMinMax(t: readonly number[], series: readonly (readonly (number | null)[])[], buckets: number): { t: number[]; series: (number | null)[][] } {
  if (t.length <= 2 * buckets) return { t: [...t], series: series.map((s) => [...s]) };
  const t0 = t[0]!;
  const width = (t[t.length - 1]! - t0) / buckets || 1;
  const outT: number[] = [];
  const out: (number | null)[][] = series.map(() => []);
  let i = 0;
  for (let b = 0; b < buckets && i < t.length; b++) {
    const end = b === buckets - 1 ? Infinity : t0 + (b + 1) * width;
    const from = i;
    while (i < t.length && t[i]! < end) i++;
    if (i === from) continue;
    // The bucket's two points sit at the times of the first series' min and max (or its ends).
    let lo = from;
    let hi = from;
    const lead = series[0]!;
    for (let k = from; k < i; k++) {
      const v = lead[k];
      if (v === null || v === undefined) continue;
      if (lead[lo] === null || v < lead[lo]!) lo = k;
      if (lead[hi] === null || v > lead[hi]!) hi = k;
    }
    const [first, second] = lo <= hi ? [lo, hi] : [hi, lo];
    outT.push(t[first]!, t[second] === t[first] ? t[first]! + 1e-3 : t[second]!);
    series.forEach((s, n) => {
      let min: number | null = null;
      let max: number | null = null;
      for (let k = from; k < i; k++) {
        const v = s[k];
        if (v === null || v === undefined) continue;
        if (min === null || v < min) min = v;
        if (max === null || v > max) max = v;
      }
      const lowFirst = lo <= hi;
      out[n]!.push(lowFirst ? min : max, lowFirst ? max : min);
    });
  }
  return { t: outT, series: out };
}

function asSnapshot(time: number, gpus: readonly GpuSample[]): Snapshot {
  // RunWindow reads the time and the GPUs; the rest of a snapshot is not recorded per GPU.
  return {
    time,
    gpus,
    source: { kind: 'nvidia-smi', path: 'history' },
    driverVersion: null,
    cudaVersion: null,
    processes: [],
    host: { hostname: '', cpuPercent: null, cpuCount: 0, memoryTotalBytes: null, memoryUsedBytes: null, swapTotalBytes: null, swapUsedBytes: null, loadAverage: null, uptimeSeconds: null, unknown: {} },
    stale: null,
    notes: [],
  };
}

/**
 * Per-GPU report data from samples in time order. `maxGapMs`: a longer gap
 * between two samples (the recorder was stopped) is not integrated across for energy.
 */
export function buildGpuReports(samples: Iterable<RecordedSample>, buckets: number, maxGapMs: number): GpuReport[] {
  const columns = new Map<string, GpuColumns>();
  const window = new RunWindow(maxGapMs);
  for (const s of samples) {
    window.add(asSnapshot(s.time, s.gpus));
    for (const g of s.gpus) {
      let c = columns.get(g.uuid);
      if (!c) columns.set(g.uuid, (c = new GpuColumns(g.index, g.uuid)));
      c.name ??= g.name;
      c.t.push(s.time / 1000);
      for (const f of CHARTED_FIELDS) c.values.get(f)!.push(g.lost ? null : g[f]);
    }
  }
  const runs = new Map(window.summary().map((r) => [r.uuid, r]));
  return [...columns.values()]
    .sort((a, b) => a.index - b.index)
    .map((c) => {
      const ds = downsampleMinMax(c.t, CHARTED_FIELDS.map((f) => c.values.get(f)!), buckets);
      const summary = Object.fromEntries(
        SUMMARY_FIELDS.map((f) => {
          const s = summarize(c.values.get(f)!.filter((v): v is number => v !== null), [95]);
          return [f, s && { mean: s.mean, p95: s.percentiles['95']!, max: s.max }];
        }),
      );
      const run = runs.get(c.uuid);
      return {
        index: c.index,
        uuid: c.uuid,
        name: c.name,
        samples: c.t.length,
        series: { t: ds.t, values: Object.fromEntries(CHARTED_FIELDS.map((f, i) => [f, ds.series[i]!])), samples: c.t.length },
        summary,
        energyWh: run?.energyJ == null ? null : run.energyJ / 3600,
        throttledSeconds: run?.clockEventReasons ?? {},
      };
    });
}
