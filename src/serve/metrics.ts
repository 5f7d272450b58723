import { Counter, Gauge, Registry } from 'prom-client';
import { ALERT_RULES, type Alert, SEVERITY } from '../model/alerts.js';
import { CLOCK_EVENT_BITS, encodeClockEventMask } from '../model/clock-events.js';
import { processShortName } from '../model/derive.js';
import type { GpuSample, Snapshot } from '../model/types.js';

/**
 * `/metrics`: the snapshot as Prometheus metrics, written with prom-client.
 * Names are `gpumon_` + what + base unit (`_ratio` for shares 0..1,
 * `_bytes`, `_celsius`, `_watts`, `_hertz`, `_total` for counters), as
 * Prometheus asks; every GPU series carries gpu (index), uuid, model and
 * hostname. A null value is left out, never written as 0. The metrics are
 * updated once per snapshot and the text is made once per snapshot, so a
 * scrape costs a cached string however many scrapers there are.
 */

export const GPU_LABELS = ['gpu', 'uuid', 'model', 'hostname'] as const;

export interface GpuMetric {
  readonly name: string;
  readonly help: string;
  readonly value: (g: GpuSample) => number | null;
  /** The DCGM exporter field it stands for, and how to convert (for porting dashboards). */
  readonly dcgm: string | null;
}

const ratio = (percent: number | null) => (percent === null ? null : percent / 100);
const bytes = (mib: number | null) => (mib === null ? null : mib * 1024 * 1024);
const hertz = (mhz: number | null) => (mhz === null ? null : mhz * 1e6);
const flag = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

/** Every per-GPU gauge, with its DCGM counterpart (docs/serve.md, "Metrics", lists the same). */
export const GPU_METRICS: readonly GpuMetric[] = [
  { name: 'gpumon_gpu_utilization_ratio', help: 'Share of the last sample period a kernel ran (0..1)', value: (g) => ratio(g.utilizationGpu), dcgm: 'DCGM_FI_DEV_GPU_UTIL / 100' },
  { name: 'gpumon_gpu_memory_utilization_ratio', help: 'Share of the last sample period device memory was read or written (0..1)', value: (g) => ratio(g.utilizationMemory), dcgm: 'DCGM_FI_DEV_MEM_COPY_UTIL / 100' },
  { name: 'gpumon_gpu_encoder_utilization_ratio', help: 'Video encoder utilization (0..1)', value: (g) => ratio(g.utilizationEncoder), dcgm: 'DCGM_FI_DEV_ENC_UTIL / 100' },
  { name: 'gpumon_gpu_decoder_utilization_ratio', help: 'Video decoder utilization (0..1)', value: (g) => ratio(g.utilizationDecoder), dcgm: 'DCGM_FI_DEV_DEC_UTIL / 100' },
  { name: 'gpumon_gpu_memory_used_bytes', help: 'Device memory used', value: (g) => bytes(g.memoryUsedMiB), dcgm: 'DCGM_FI_DEV_FB_USED (MiB) * 2^20' },
  { name: 'gpumon_gpu_memory_free_bytes', help: 'Device memory free', value: (g) => bytes(g.memoryFreeMiB), dcgm: 'DCGM_FI_DEV_FB_FREE (MiB) * 2^20' },
  { name: 'gpumon_gpu_memory_total_bytes', help: 'Device memory in all', value: (g) => bytes(g.memoryTotalMiB), dcgm: 'DCGM_FI_DEV_FB_TOTAL (MiB) * 2^20' },
  { name: 'gpumon_gpu_temperature_celsius', help: 'GPU core temperature', value: (g) => g.temperatureGpuC, dcgm: 'DCGM_FI_DEV_GPU_TEMP' },
  { name: 'gpumon_gpu_memory_temperature_celsius', help: 'HBM temperature', value: (g) => g.temperatureMemoryC, dcgm: 'DCGM_FI_DEV_MEMORY_TEMP' },
  { name: 'gpumon_gpu_fan_speed_ratio', help: 'Fan speed as a share of its maximum (0..1)', value: (g) => ratio(g.fanSpeedPercent), dcgm: 'DCGM_FI_DEV_FAN_SPEED / 100' },
  { name: 'gpumon_gpu_power_draw_watts', help: 'Board power draw (power.draw: a 1 s average on Ampere and later)', value: (g) => g.powerDrawW, dcgm: 'DCGM_FI_DEV_POWER_USAGE' },
  { name: 'gpumon_gpu_power_draw_instant_watts', help: 'Board power draw at the instant of the sample', value: (g) => g.powerDrawInstantW, dcgm: 'DCGM_FI_DEV_POWER_USAGE_INSTANT' },
  { name: 'gpumon_gpu_power_limit_watts', help: 'Enforced power limit', value: (g) => g.powerLimitW, dcgm: 'DCGM_FI_DEV_ENFORCED_POWER_LIMIT' },
  { name: 'gpumon_gpu_sm_clock_hertz', help: 'SM clock', value: (g) => hertz(g.clockSmMHz), dcgm: 'DCGM_FI_DEV_SM_CLOCK (MHz) * 1e6' },
  { name: 'gpumon_gpu_memory_clock_hertz', help: 'Memory clock', value: (g) => hertz(g.clockMemMHz), dcgm: 'DCGM_FI_DEV_MEM_CLOCK (MHz) * 1e6' },
  { name: 'gpumon_gpu_sm_clock_max_hertz', help: 'Highest SM clock the GPU allows', value: (g) => hertz(g.clockMaxSmMHz), dcgm: 'DCGM_FI_DEV_MAX_SM_CLOCK (MHz) * 1e6' },
  { name: 'gpumon_gpu_performance_state', help: 'Performance state, 0 (P0, highest) to 15', value: (g) => (g.pstate ? Number(g.pstate.slice(1)) : null), dcgm: 'DCGM_FI_DEV_PSTATE' },
  {
    name: 'gpumon_gpu_clock_event_reasons',
    help: 'Active clock event (throttle) reasons as the NVML bitmask',
    value: (g) => (g.clockEventReasons === null ? null : encodeClockEventMask(g.clockEventReasons)),
    dcgm: 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS (DCGM_FI_DEV_CLOCKS_EVENT_REASONS)',
  },
  { name: 'gpumon_gpu_lost', help: '1 when the GPU has fallen off the bus (nvidia-smi cannot reach it)', value: (g) => (g.lost ? 1 : 0), dcgm: 'none (DCGM_FI_DEV_XID_ERRORS: Xid 79 means the same; nvidia-smi does not report Xids)' },
  { name: 'gpumon_gpu_persistence_mode', help: '1 when persistence mode is on', value: (g) => flag(g.persistenceMode), dcgm: 'DCGM_FI_DEV_PERSISTENCE_MODE' },
  { name: 'gpumon_gpu_mig_mode', help: '1 when MIG mode is on', value: (g) => flag(g.migEnabled), dcgm: 'DCGM_FI_DEV_MIG_MODE' },
];

/** The counter beside the gauges: uncorrected ECC errors since the driver loaded (volatile). */
export const ECC_METRIC = { name: 'gpumon_gpu_ecc_uncorrected_errors_total', dcgm: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL' } as const;

export interface MetricsOptions {
  readonly version: string;
  /** Add user and command labels to the process series (`--expose-processes`). */
  readonly exposeProcesses: boolean;
}

type Labels = Record<string, string | number>;

/** prom-client's text for the newest snapshot and its alerts, made once per snapshot. */
export class SnapshotMetrics {
  readonly registry = new Registry();
  private readonly gauges: ReadonlyArray<readonly [GpuMetric, Gauge]>;
  private readonly ecc: Counter;
  private readonly clockEvent: Gauge;
  private readonly info: Gauge;
  private readonly processMemory: Gauge;
  private readonly processCount: Gauge;
  private readonly alert: Gauge;
  private readonly host: ReadonlyArray<readonly [Gauge, (s: Snapshot) => number | null]>;
  private readonly snapshotTime: Gauge;
  private readonly stale: Gauge;
  private text: Promise<string> | null = null;

  constructor(private readonly opts: MetricsOptions) {
    const registers = [this.registry];
    const gauge = (name: string, help: string, labelNames: readonly string[]) => new Gauge({ name, help, labelNames, registers });
    this.gauges = GPU_METRICS.map((m) => [m, gauge(m.name, m.help, GPU_LABELS)] as const);
    this.ecc = new Counter({ name: ECC_METRIC.name, help: 'Uncorrected ECC errors since the driver loaded (volatile count)', labelNames: GPU_LABELS, registers });
    this.clockEvent = gauge('gpumon_gpu_clock_event_active', '1 while this clock event (throttle) reason is active, by NVML name', [...GPU_LABELS, 'reason']);
    this.info = gauge('gpumon_gpu_info', 'Always 1: what the GPU is', [...GPU_LABELS, 'pci_bus_id', 'driver_version', 'cuda_version']);
    this.processCount = gauge('gpumon_gpu_processes', 'Compute processes holding memory on the GPU', GPU_LABELS);
    const processLabels = [...GPU_LABELS, 'pid', 'process_name', ...(opts.exposeProcesses ? ['user', 'command'] : [])];
    this.processMemory = gauge('gpumon_process_gpu_memory_bytes', 'Device memory a process holds', processLabels);
    this.alert = gauge('gpumon_alert_active', '1 while the alert rule fires for the GPU', [...GPU_LABELS, 'rule', 'severity']);
    const hostGauge = (name: string, help: string, value: (s: Snapshot) => number | null) => [gauge(name, help, ['hostname']), value] as const;
    this.host = [
      hostGauge('gpumon_host_cpu_utilization_ratio', 'Whole-host CPU busy share (0..1)', (s) => ratio(s.host.cpuPercent)),
      hostGauge('gpumon_host_memory_used_bytes', 'Host memory used', (s) => s.host.memoryUsedBytes),
      hostGauge('gpumon_host_memory_total_bytes', 'Host memory in all', (s) => s.host.memoryTotalBytes),
      hostGauge('gpumon_host_load1', 'Host load average over 1 minute', (s) => s.host.loadAverage?.[0] ?? null),
    ];
    this.snapshotTime = gauge('gpumon_snapshot_timestamp_seconds', 'When the snapshot behind these values was taken (Unix time)', ['hostname']);
    this.stale = gauge('gpumon_snapshot_stale', '1 while the GPU data is stale (nvidia-smi stalled or died and is being restarted)', ['hostname']);
    gauge('gpumon_build_info', 'Always 1: the gpumon version serving these metrics', ['version']).set({ version: opts.version }, 1);
  }

  /** Replaces every value with the snapshot's: GPUs and values that are gone leave no series behind. */
  update(s: Snapshot, alerts: readonly Alert[]): void {
    const hostname = s.host.hostname;
    const labelsOf = (g: GpuSample): Labels => ({ gpu: g.index, uuid: g.uuid, model: g.name ?? '', hostname });
    for (const [, g] of this.gauges) g.reset();
    for (const m of [this.ecc, this.clockEvent, this.info, this.processMemory, this.processCount, this.alert, this.snapshotTime, this.stale]) m.reset();
    for (const [g] of this.host) g.reset();
    for (const g of s.gpus) {
      const labels = labelsOf(g);
      for (const [m, gauge] of this.gauges) {
        const v = m.value(g);
        if (v !== null) gauge.set(labels, v);
      }
      if (g.eccErrorsUncorrectedVolatile !== null) this.ecc.inc(labels, g.eccErrorsUncorrectedVolatile);
      if (g.clockEventReasons !== null) for (const [, reason] of CLOCK_EVENT_BITS) this.clockEvent.set({ ...labels, reason }, g.clockEventReasons.includes(reason) ? 1 : 0);
      this.info.set({ ...labels, pci_bus_id: g.pciBusId ?? '', driver_version: s.driverVersion ?? '', cuda_version: s.cudaVersion ?? '' }, 1);
      this.processCount.set(labels, s.processes.filter((p) => p.gpuUuid === g.uuid).length);
      for (const rule of ALERT_RULES) {
        const firing = alerts.some((a) => a.rule === rule && a.gpuUuid === g.uuid && a.gpuIndex === g.index);
        this.alert.set({ ...labels, rule, severity: SEVERITY[rule] }, firing ? 1 : 0);
      }
    }
    for (const p of s.processes) {
      const g = s.gpus.find((x) => x.uuid === p.gpuUuid);
      if (!g || p.gpuMemoryMiB === null) continue;
      const extra: Labels = this.opts.exposeProcesses ? { user: p.user ?? '', command: (p.argv?.join(' ') ?? p.name ?? '').slice(0, 200) } : {};
      this.processMemory.set({ ...labelsOf(g), pid: p.pid, process_name: processShortName(p) ?? '', ...extra }, bytes(p.gpuMemoryMiB)!);
    }
    for (const [g, value] of this.host) {
      const v = value(s);
      if (v !== null) g.set({ hostname }, v);
    }
    this.snapshotTime.set({ hostname }, s.time / 1000);
    this.stale.set({ hostname }, s.stale ? 1 : 0);
    this.text = null;
  }

  /** The exposition text of the newest update. */
  metrics(): Promise<string> {
    return (this.text ??= this.registry.metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
