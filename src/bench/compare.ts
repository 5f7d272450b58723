/**
 * `bench compare`: benchmark result files side by side. It reads both kinds
 * gpumon writes and the files of the tools they follow:
 *   http: `bench http` results, and `vllm bench serve --save-result` files
 *         (vLLM's keys; no `kind`, no `gpu`: what is missing shows as N/A);
 *   run:  `bench run` results, and `hyperfine --export-json` files.
 * Rows are metrics, columns are results, each with its ratio to the first.
 * Pure: the caller reads the files.
 */

export type ResultKind = 'http' | 'run';

/** Which way is better for a metric; null where neither is (e.g. utilization). */
export type Better = 'lower' | 'higher' | null;

export interface MetricDef {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly better: Better;
  readonly digits: number;
}

/** One column: a result with its metric values (null: not in the file). */
export interface ResultColumn {
  readonly label: string;
  readonly path: string;
  readonly kind: ResultKind;
  /** The command timed (run results), else null. */
  readonly command: string | null;
  /** The model served (`model_id`, serving results), else null. */
  readonly model: string | null;
  /** Where it came from: 'gpumon bench http', 'vllm bench serve', 'gpumon bench run', 'hyperfine'. */
  readonly tool: string;
  readonly values: Readonly<Record<string, number | null>>;
}

export interface ComparedMetric extends MetricDef {
  readonly values: readonly (number | null)[];
  /** value / the first column's value; null where either is unknown or the first is 0. */
  readonly ratios: readonly (number | null)[];
}

export interface Comparison {
  readonly kind: ResultKind;
  readonly columns: readonly Omit<ResultColumn, 'values'>[];
  readonly metrics: readonly ComparedMetric[];
}

/** A file that is JSON but not a result gpumon can compare. */
export class NotAResult extends Error {}

type Json = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const LATENCIES = [
  ['ttft', 'TTFT'],
  ['tpot', 'TPOT'],
  ['itl', 'ITL'],
  ['e2el', 'E2E latency'],
] as const;

/** The GPU rows both kinds share, from the `gpu` object of gpumon's results. */
const GPU_METRICS: readonly MetricDef[] = [
  { key: 'gpu_peak_memory_used_mib', label: 'Peak GPU memory used', unit: 'MiB', better: 'lower', digits: 0 },
  { key: 'gpu_energy_j', label: 'GPU energy', unit: 'J', better: 'lower', digits: 1 },
  { key: 'gpu_avg_power_w', label: 'Avg GPU power', unit: 'W', better: null, digits: 1 },
];

function gpuValues(doc: Json): { gpu_peak_memory_used_mib: number | null; gpu_energy_j: number | null; gpu_avg_power_w: number | null } {
  const gpu = isObject(doc.gpu) ? doc.gpu : {};
  return { gpu_peak_memory_used_mib: num(gpu.peak_memory_used_mib), gpu_energy_j: num(gpu.energy_j), gpu_avg_power_w: num(gpu.avg_power_w) };
}

/** The percentiles vLLM wrote (`p99_ttft_ms`, `p99.9_itl_ms` ...), in order, for each latency. */
function percentileKeys(docs: readonly Json[]): Map<string, number[]> {
  const found = new Map<string, Set<number>>();
  for (const d of docs)
    for (const k of Object.keys(d)) {
      const m = /^p(\d+(?:\.\d+)?)_(ttft|tpot|itl|e2el)_ms$/.exec(k);
      if (m) (found.get(m[2]!) ?? found.set(m[2]!, new Set()).get(m[2]!)!).add(Number(m[1]));
    }
  return new Map([...found].map(([k, s]) => [k, [...s].sort((a, b) => a - b)]));
}

function httpMetrics(docs: readonly Json[]): MetricDef[] {
  const defs: MetricDef[] = [
    { key: 'completed', label: 'Successful requests', unit: '', better: 'higher', digits: 0 },
    { key: 'failed', label: 'Failed requests', unit: '', better: 'lower', digits: 0 },
    { key: 'duration', label: 'Benchmark duration', unit: 's', better: 'lower', digits: 2 },
    { key: 'request_throughput', label: 'Request throughput', unit: 'req/s', better: 'higher', digits: 2 },
    { key: 'output_throughput', label: 'Output token throughput', unit: 'tok/s', better: 'higher', digits: 1 },
    { key: 'total_token_throughput', label: 'Total token throughput', unit: 'tok/s', better: 'higher', digits: 1 },
  ];
  const pcts = percentileKeys(docs);
  for (const [key, name] of LATENCIES) {
    const keys = [`mean_${key}_ms`, `median_${key}_ms`, ...(pcts.get(key) ?? []).map((p) => `p${p}_${key}_ms`)];
    if (!docs.some((d) => keys.some((k) => k in d))) continue;
    defs.push({ key: `mean_${key}_ms`, label: `Mean ${name}`, unit: 'ms', better: 'lower', digits: 2 });
    defs.push({ key: `median_${key}_ms`, label: `Median ${name}`, unit: 'ms', better: 'lower', digits: 2 });
    for (const p of pcts.get(key) ?? []) defs.push({ key: `p${p}_${key}_ms`, label: `P${p} ${name}`, unit: 'ms', better: 'lower', digits: 2 });
  }
  return [
    ...defs,
    ...GPU_METRICS,
    { key: 'joules_per_output_token', label: 'Energy per output token', unit: 'J/tok', better: 'lower', digits: 3 },
  ];
}

const RUN_METRICS: readonly MetricDef[] = [
  { key: 'mean', label: 'Mean time', unit: 's', better: 'lower', digits: 3 },
  { key: 'stddev', label: 'Std dev', unit: 's', better: 'lower', digits: 3 },
  { key: 'median', label: 'Median time', unit: 's', better: 'lower', digits: 3 },
  { key: 'min', label: 'Min time', unit: 's', better: 'lower', digits: 3 },
  { key: 'max', label: 'Max time', unit: 's', better: 'lower', digits: 3 },
  { key: 'user', label: 'User time', unit: 's', better: 'lower', digits: 3 },
  { key: 'system', label: 'System time', unit: 's', better: 'lower', digits: 3 },
  { key: 'runs_per_second', label: 'Throughput', unit: 'runs/s', better: 'higher', digits: 2 },
  { key: 'runs', label: 'Runs', unit: '', better: null, digits: 0 },
  ...GPU_METRICS,
  { key: 'gpu_energy_per_run_j', label: 'GPU energy per run', unit: 'J', better: 'lower', digits: 1 },
  { key: 'process_tree_peak_gpu_memory_mib', label: 'Peak GPU memory, command tree', unit: 'MiB', better: 'lower', digits: 0 },
];

/** The results in one parsed file: one for an http file, one per command for a run file. */
export function resultsOf(doc: unknown): { kind: ResultKind; tool: string; doc: Json; command: string | null }[] {
  if (!isObject(doc)) throw new NotAResult('not a benchmark result (JSON, but not an object)');
  if (doc.kind === 'http' || (doc.kind === undefined && num(doc.completed) !== null && num(doc.duration) !== null))
    return [{ kind: 'http', tool: doc.kind === 'http' ? 'gpumon bench http' : 'vllm bench serve', doc, command: null }];
  if ((doc.kind === 'run' || doc.kind === undefined) && Array.isArray(doc.results)) {
    const results = doc.results.filter((r): r is Json => isObject(r) && num(r.mean) !== null);
    if (results.length === 0)
      throw new NotAResult(doc.results.length === 0 ? 'a bench run result without any finished run' : 'its results[] have no mean time: not a bench run / hyperfine result');
    return results.map((r) => ({ kind: 'run', tool: doc.kind === 'run' ? 'gpumon bench run' : 'hyperfine', doc: r, command: typeof r.command === 'string' ? r.command : null }));
  }
  throw new NotAResult(
    `not a benchmark result gpumon knows${typeof doc.kind === 'string' ? ` (kind '${doc.kind}')` : ''}: expected a bench http or vllm bench serve --save-result file (completed, duration, ...) or a bench run or hyperfine --export-json file (results[] with mean, times, ...)`,
  );
}

function runValues(r: Json): Record<string, number | null> {
  const mean = num(r.mean);
  const times = Array.isArray(r.times) ? r.times.length : null;
  const runs = Array.isArray(r.runs) ? r.runs.filter(isObject) : [];
  const treePeaks = runs.map((x) => num(x.process_tree_peak_gpu_memory_mib)).filter((x): x is number => x !== null);
  const g = gpuValues(r);
  return {
    ...Object.fromEntries(['mean', 'stddev', 'median', 'min', 'max', 'user', 'system'].map((k) => [k, num(r[k])])),
    runs_per_second: mean ? 1 / mean : null,
    runs: times,
    ...g,
    gpu_energy_per_run_j: g.gpu_energy_j !== null && times ? g.gpu_energy_j / times : null,
    process_tree_peak_gpu_memory_mib: treePeaks.length ? Math.max(...treePeaks) : null,
  };
}

export interface LoadedFile {
  readonly path: string;
  readonly label: string;
  readonly doc: unknown;
}

/** Mixed kinds cannot be compared: the message names a file of each. */
export class MixedKinds extends Error {}

export function compareResults(files: readonly LoadedFile[]): Comparison {
  const entries = files.flatMap((f) => {
    let results;
    try {
      results = resultsOf(f.doc);
    } catch (e) {
      throw e instanceof NotAResult ? new NotAResult(`${f.path}: ${e.message}`) : e;
    }
    return results.map((r, i, all) => ({ ...r, file: f, label: all.length > 1 ? `${f.label} #${i + 1}` : f.label }));
  });
  const kind = entries[0]!.kind;
  const other = entries.find((e) => e.kind !== kind);
  if (other) {
    const name = (k: ResultKind) => (k === 'http' ? 'a bench http (serving) result' : 'a bench run (command timing) result');
    throw new MixedKinds(`cannot compare ${name(kind)} (${entries[0]!.file.path}) with ${name(other.kind)} (${other.file.path})`);
  }
  const defs = kind === 'http' ? httpMetrics(entries.map((e) => e.doc)) : RUN_METRICS;
  const columns: ResultColumn[] = entries.map((e) => ({
    label: e.label,
    path: e.file.path,
    command: e.command,
    model: typeof e.doc.model_id === 'string' ? e.doc.model_id : null,
    kind,
    tool: e.tool,
    values:
      kind === 'http'
        ? { ...Object.fromEntries(defs.map((d) => [d.key, num(e.doc[d.key])])), ...gpuValues(e.doc), joules_per_output_token: num(isObject(e.doc.gpu) ? e.doc.gpu.joules_per_output_token : null) }
        : runValues(e.doc),
  }));
  const metrics = defs.map((d): ComparedMetric => {
    const values = columns.map((c) => c.values[d.key] ?? null);
    const base = values[0] ?? null;
    return { ...d, values, ratios: values.map((v) => (v === null || base === null || base === 0 ? null : v / base)) };
  });
  return { kind, columns: columns.map(({ values: _, ...c }) => c), metrics };
}
