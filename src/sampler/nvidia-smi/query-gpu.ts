import type { GpuSample, UnknownReason } from '../../model/types.js';
import { headerName, type Parsed, readEnabled, readNumber, readText, splitCsvLine } from './cells.js';
import { readClockEventReasons } from './clock-events.js';
import { GPU_FIELDS, type GpuField, type GpuFieldKey, gpuFieldForHeader } from './gpu-fields.js';

/** What one column of the CSV holds. */
export type GpuColumn = GpuField | 'timestamp' | null;

export interface GpuRow {
  readonly sample: GpuSample;
  readonly driverVersion: string | null;
  /** The row's `timestamp` cell when the query had one (recordings do). */
  readonly timestamp: string | null;
}

export interface QueryGpuResult {
  readonly rows: GpuRow[];
  /** PCI bus ids (normalised) that nvidia-smi reported it could not reach. */
  /** GPUs nvidia-smi said it cannot reach; `position` is its place among the rows, which is its index when all GPUs were listed. */
  readonly unreachable: { readonly busId: string; readonly message: string; readonly position: number }[];
  /** Lines that could not be read, with why. */
  readonly problems: string[];
}

/** Column plan for a CSV header line (recordings, `--format=csv`). */
export function columnsFromHeader(line: string): GpuColumn[] {
  return line.split(',').map((cell) => {
    const name = headerName(cell);
    return name === 'timestamp' ? 'timestamp' : (gpuFieldForHeader(name) ?? null);
  });
}

/** `Unable to determine the device handle for GPU0000:3B:00.0: GPU is lost. Reboot ...` */
const UNREACHABLE = /Unable to determine the device handle for GPU\s*([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.[0-9A-Fa-f]+)\s*:\s*(.*)$/;

/** PCI bus ids come as `00000000:3B:00.0` or `0000:3b:00.0`; compare them in one form. */
export function normalizeBusId(id: string): string {
  const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]+):([0-9A-Fa-f]+)\.([0-9A-Fa-f]+)$/.exec(id.trim());
  if (!m) return id.trim().toLowerCase();
  const [, domain, bus, device, fn] = m as unknown as [string, string, string, string, string];
  const hex = (s: string, width: number) => parseInt(s, 16).toString(16).padStart(width, '0');
  return `${hex(domain, 8)}:${hex(bus, 2)}:${hex(device, 2)}.${hex(fn, 1)}`;
}

/**
 * Parses `--query-gpu` CSV output. With `columns`, the text has no header
 * (`--format=csv,noheader[,nounits]`) and the columns are the query's, in
 * order; without, the first line is the header. Units in cells are accepted
 * either way. Bad lines are reported in `problems`, never thrown.
 */
export function parseQueryGpuCsv(text: string, columns?: readonly GpuColumn[]): QueryGpuResult {
  const result: QueryGpuResult = { rows: [], unreachable: [], problems: [] };
  let plan = columns;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!plan) {
      plan = columnsFromHeader(line);
      if (!plan.some((c) => c !== null && c !== 'timestamp' && c.key === 'index')) {
        result.problems.push(`not a --query-gpu header: ${line.trim()}`);
        return result;
      }
      continue;
    }
    const unreachable = UNREACHABLE.exec(line);
    if (unreachable) {
      const position = result.rows.length + result.unreachable.length;
      result.unreachable.push({ busId: normalizeBusId(unreachable[1] ?? ''), message: (unreachable[2] ?? '').trim(), position });
      continue;
    }
    const { row, problem } = parseGpuRow(line, plan);
    if (problem) result.problems.push(problem);
    if (row) result.rows.push(row);
  }
  return result;
}

type Values = Partial<Record<GpuFieldKey, Parsed<unknown>>>;

function readField(f: GpuField, raw: string | undefined): Parsed<unknown> {
  switch (f.kind) {
    case 'number':
      return readNumber(raw);
    case 'text':
      return readText(raw);
    case 'enabled':
      return readEnabled(raw);
    case 'clockEvents':
      return readClockEventReasons(raw);
  }
}

/**
 * One data line. A row with too few cells keeps what it has (the rest are
 * `missing_cell`) and reports a problem; a row that names no GPU is dropped.
 */
export function parseGpuRow(line: string, plan: readonly GpuColumn[]): { row: GpuRow | null; problem: string | null } {
  const nameColumn = plan.findIndex((c) => c !== null && c !== 'timestamp' && c.key === 'name');
  const cells = splitCsvLine(line, plan.length, nameColumn === -1 ? null : nameColumn);
  const countProblem = cells.length === plan.length ? null : `expected ${plan.length} cells, got ${cells.length}: ${line.trim()}`;
  const values: Values = {};
  let timestamp: string | null = null;
  plan.forEach((column, i) => {
    if (column === null) return;
    if (column === 'timestamp') {
      timestamp = cells[i]?.trim() || null;
      return;
    }
    const parsed = readField(column, cells[i]);
    const seen = values[column.key];
    // A header may name the same field twice (clocks_event_reasons.active, when
    // the throttle alias was asked too): keep the first real value.
    if (seen === undefined || ('reason' in seen && !('reason' in parsed))) values[column.key] = parsed;
  });
  const index = values.index?.value;
  const uuid = values.uuid?.value;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) return { row: null, problem: `row without a GPU index: ${line.trim()}` };
  if (typeof uuid !== 'string') return { row: null, problem: `row without a GPU UUID: ${line.trim()}` };
  const driver = values.driverVersion?.value;
  const row = { sample: buildGpuSample(values, index, uuid), driverVersion: typeof driver === 'string' ? driver : null, timestamp };
  return { row, problem: countProblem };
}

/** Keys of GpuSample that hold a metric (not identity): nulled when a GPU is lost. */
const METRIC_KEYS = GPU_FIELDS.map((f) => f.key).filter(
  (k): k is Exclude<GpuFieldKey, 'index' | 'uuid' | 'name' | 'pciBusId' | 'driverVersion'> =>
    !['index', 'uuid', 'name', 'pciBusId', 'driverVersion'].includes(k),
);

function buildGpuSample(values: Values, index: number, uuid: string): GpuSample {
  const unknown: Partial<Record<keyof GpuSample, UnknownReason>> = {};
  const lost = Object.values(values).some((v) => 'reason' in v && v.reason === 'gpu_lost');
  function get<T>(key: Exclude<GpuFieldKey, 'driverVersion'>): T | null {
    const v = values[key];
    if (lost && (METRIC_KEYS as string[]).includes(key)) {
      unknown[key] = 'gpu_lost';
      return null;
    }
    if (v === undefined) {
      unknown[key] = 'field_unsupported';
      return null;
    }
    if ('reason' in v) {
      unknown[key] = v.reason;
      return null;
    }
    return v.value as T;
  }
  const instant = get<number>('powerDrawInstantW');
  let draw = get<number>('powerDrawW');
  // Some boards report power.draw as [N/A] but have the instant reading.
  if (draw === null && instant !== null) {
    draw = instant;
    delete unknown.powerDrawW;
  }
  return {
    index,
    uuid,
    name: get('name'),
    pciBusId: get('pciBusId'),
    lost,
    utilizationGpu: get('utilizationGpu'),
    utilizationMemory: get('utilizationMemory'),
    utilizationEncoder: get('utilizationEncoder'),
    utilizationDecoder: get('utilizationDecoder'),
    memoryUsedMiB: get('memoryUsedMiB'),
    memoryTotalMiB: get('memoryTotalMiB'),
    memoryFreeMiB: get('memoryFreeMiB'),
    temperatureGpuC: get('temperatureGpuC'),
    temperatureMemoryC: get('temperatureMemoryC'),
    fanSpeedPercent: get('fanSpeedPercent'),
    powerDrawW: draw,
    powerDrawInstantW: instant,
    powerLimitW: get('powerLimitW'),
    clockSmMHz: get('clockSmMHz'),
    clockMemMHz: get('clockMemMHz'),
    clockMaxSmMHz: get('clockMaxSmMHz'),
    pstate: get('pstate'),
    clockEventReasons: get('clockEventReasons'),
    eccErrorsUncorrectedVolatile: get('eccErrorsUncorrectedVolatile'),
    migEnabled: get('migEnabled'),
    persistenceMode: get('persistenceMode'),
    computeMode: get('computeMode'),
    unknown,
  };
}

/** A GPU known to exist that produced no row (fell off the bus, or nvidia-smi could not reach it). */
export function lostGpu(known: Pick<GpuSample, 'index' | 'uuid' | 'name' | 'pciBusId'>): GpuSample {
  const unknown: Partial<Record<keyof GpuSample, UnknownReason>> = {};
  for (const k of METRIC_KEYS) unknown[k] = 'gpu_lost';
  // Known only by its bus id (nvidia-smi could not reach it to read its UUID).
  if (known.uuid === '') unknown.uuid = 'gpu_lost';
  const nulls = Object.fromEntries(METRIC_KEYS.map((k) => [k, null])) as Record<(typeof METRIC_KEYS)[number], null>;
  return { ...nulls, index: known.index, uuid: known.uuid, name: known.name, pciBusId: known.pciBusId, lost: true, unknown };
}
