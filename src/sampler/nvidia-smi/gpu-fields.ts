/**
 * The `--query-gpu` fields gpumon reads, and how each maps onto GpuSample.
 *
 * `query` lists the names to ask for, best first: when a driver rejects one
 * (`Field "x" is not a valid field to query.`), the next is tried, and when
 * none is left the field is dropped and reported as `field_unsupported`.
 * `header` lists every name the driver may print for it in a CSV header,
 * which is the canonical name, not the one asked for (`clocks.sm` comes back
 * as `clocks.current.sm [MHz]`).
 */
export type GpuFieldKind = 'number' | 'text' | 'enabled' | 'clockEvents';

export type GpuFieldKey =
  | 'index'
  | 'uuid'
  | 'name'
  | 'pciBusId'
  | 'driverVersion'
  | 'utilizationGpu'
  | 'utilizationMemory'
  | 'utilizationEncoder'
  | 'utilizationDecoder'
  | 'memoryUsedMiB'
  | 'memoryTotalMiB'
  | 'memoryFreeMiB'
  | 'temperatureGpuC'
  | 'temperatureMemoryC'
  | 'fanSpeedPercent'
  | 'powerDrawW'
  | 'powerDrawInstantW'
  | 'powerLimitW'
  | 'clockSmMHz'
  | 'clockMemMHz'
  | 'clockMaxSmMHz'
  | 'pstate'
  | 'clockEventReasons'
  | 'eccErrorsUncorrectedVolatile'
  | 'migEnabled'
  | 'persistenceMode'
  | 'computeMode';

export interface GpuField {
  readonly key: GpuFieldKey;
  readonly query: readonly string[];
  readonly header: readonly string[];
  readonly kind: GpuFieldKind;
  /** Without it a row cannot be placed: a driver that rejects it cannot be used. */
  readonly required?: boolean;
}

function field(key: GpuFieldKey, kind: GpuFieldKind, query: readonly string[], aliases: readonly string[] = []): GpuField {
  return { key, kind, query, header: [...query, ...aliases] };
}

export const GPU_FIELDS: readonly GpuField[] = [
  { ...field('index', 'number', ['index']), required: true },
  { ...field('uuid', 'text', ['uuid'], ['gpu_uuid']), required: true },
  field('name', 'text', ['name'], ['gpu_name']),
  field('pciBusId', 'text', ['pci.bus_id'], ['gpu_bus_id']),
  field('driverVersion', 'text', ['driver_version']),
  field('utilizationGpu', 'number', ['utilization.gpu']),
  field('utilizationMemory', 'number', ['utilization.memory']),
  field('utilizationEncoder', 'number', ['utilization.encoder']),
  field('utilizationDecoder', 'number', ['utilization.decoder']),
  field('memoryUsedMiB', 'number', ['memory.used']),
  field('memoryTotalMiB', 'number', ['memory.total']),
  field('memoryFreeMiB', 'number', ['memory.free']),
  field('temperatureGpuC', 'number', ['temperature.gpu']),
  field('temperatureMemoryC', 'number', ['temperature.memory']),
  field('fanSpeedPercent', 'number', ['fan.speed']),
  field('powerDrawW', 'number', ['power.draw']),
  field('powerDrawInstantW', 'number', ['power.draw.instant'], ['gpu.power.draw.instant']),
  field('powerLimitW', 'number', ['enforced.power.limit'], ['gpu.power.current_limit']),
  field('clockSmMHz', 'number', ['clocks.sm'], ['clocks.current.sm']),
  field('clockMemMHz', 'number', ['clocks.mem'], ['clocks.current.memory']),
  field('clockMaxSmMHz', 'number', ['clocks.max.sm']),
  field('pstate', 'text', ['pstate']),
  field('clockEventReasons', 'clockEvents', ['clocks_event_reasons.active', 'clocks_throttle_reasons.active']),
  field('eccErrorsUncorrectedVolatile', 'number', ['ecc.errors.uncorrected.volatile.total']),
  field('migEnabled', 'enabled', ['mig.mode.current']),
  field('persistenceMode', 'enabled', ['persistence_mode']),
  field('computeMode', 'text', ['compute_mode']),
];

const BY_HEADER: ReadonlyMap<string, GpuField> = new Map(GPU_FIELDS.flatMap((f) => f.header.map((h) => [h, f] as const)));

/** The field a CSV header cell (unit already stripped) names, if gpumon reads it. */
export function gpuFieldForHeader(name: string): GpuField | undefined {
  return BY_HEADER.get(name);
}

/** `Field "x" is not a valid field to query.` -> "x". */
export function rejectedFieldName(output: string): string | null {
  const m = /Field "([^"]+)" is not a valid field to query/.exec(output);
  return m ? (m[1] ?? null) : null;
}

/**
 * The fields that work on this driver, learnt by asking. Starts with each
 * field's first name; `reject()` moves a field to its next name or drops it.
 * One per sampler, so what was learnt is kept for every later query.
 */
export class GpuFieldSet {
  /** For each field, the index into `query` in use, or -1 when dropped. */
  private readonly choice = new Map<GpuField, number>();

  constructor(private readonly fields: readonly GpuField[] = GPU_FIELDS) {
    for (const f of fields) this.choice.set(f, 0);
  }

  /** The fields queried, in the order of the query's columns. */
  columns(): GpuField[] {
    return this.fields.filter((f) => (this.choice.get(f) ?? -1) >= 0);
  }

  /** The value for `--query-gpu=`. */
  queryArgument(): string {
    return this.columns()
      .map((f) => f.query[this.choice.get(f) ?? 0])
      .join(',');
  }

  dropped(): GpuField[] {
    return this.fields.filter((f) => this.choice.get(f) === -1);
  }

  /**
   * The driver rejected `name`. Returns what was done, or null when the name
   * is not one gpumon asked for (nothing can be learnt from it).
   */
  reject(name: string): { readonly field: GpuField; readonly next: string | null } | null {
    for (const f of this.columns()) {
      const i = this.choice.get(f) ?? 0;
      if (f.query[i] !== name) continue;
      const next = i + 1 < f.query.length ? i + 1 : -1;
      if (next === -1 && f.required) return null;
      this.choice.set(f, next);
      return { field: f, next: next === -1 ? null : (f.query[next] ?? null) };
    }
    return null;
  }
}
