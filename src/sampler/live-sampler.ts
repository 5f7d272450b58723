import { type GpuSelection, selectGpus } from '../model/select.js';
import type { GpuSample, Snapshot, Staleness } from '../model/types.js';
import { assembleSnapshot, type KnownGpu, utilizationKey, withLostGpus } from './assemble.js';
import { HostReader } from './host/proc-host.js';
import { ProcessReader } from './host/proc-processes.js';
import { GPU_FORMAT, type NvidiaSmi } from './nvidia-smi/client.js';
import { type ComputeApp, COMPUTE_APPS_QUERY, parseComputeAppsCsv } from './nvidia-smi/compute-apps.js';
import { type GpuRow, parseQueryGpuCsv, type QueryGpuResult } from './nvidia-smi/query-gpu.js';
import { parsePmonLine, type PmonColumns, pmonColumns, type PmonRow } from './nvidia-smi/pmon.js';
import { SmiStream } from './nvidia-smi/stream.js';
import type { SmiVersions } from './nvidia-smi/version.js';
import { Listeners, selectOrFail, type SnapshotSource } from './source.js';

export interface LiveOptions {
  readonly smi: NvidiaSmi;
  readonly intervalMs: number;
  readonly selection: GpuSelection;
  /** Named in the message when the selection matches nothing. */
  readonly selectionName?: string;
  readonly host?: HostReader;
  readonly processes?: ProcessReader;
}

/** How long rows of one tick may trickle in before the tick is taken as complete. */
const TICK_SETTLE_MS = 40;

/**
 * Live snapshots from three long-lived nvidia-smi processes: `--query-gpu -lms`
 * (every interval), `--query-compute-apps -lms`, and `pmon -s u` (%SM per
 * process). A GPU tick makes a snapshot, joined with the latest process list,
 * the latest %SM and fresh host readings.
 *
 * nvidia-smi prints nothing for a tick with no compute processes, so silence
 * on the process stream is ambiguous (none left, or the stream is stuck): it
 * is settled with one one-shot query, then again every 30 s while silent.
 */
export class LiveSampler implements SnapshotSource {
  private readonly listeners = new Listeners();
  private readonly host: HostReader;
  private readonly processes: ProcessReader;
  private known: KnownGpu[] = [];
  private versions: SmiVersions = { driverVersion: null, cudaVersion: null };
  private apps: readonly ComputeApp[] = [];
  private gpuStream: SmiStream | null = null;
  private appsStream: SmiStream | null = null;
  private pmonStream: SmiStream | null = null;
  private pmonColumns: PmonColumns | null = null;
  private pmonBurst = new Map<string, PmonRow>();
  private pmonSettle: NodeJS.Timeout | null = null;
  /** Per-process %SM from pmon, or null until its first sample. */
  private utilization: Map<string, PmonRow> | null = null;
  private pending: { rows: GpuRow[]; unreachable: QueryGpuResult['unreachable'] } = { rows: [], unreachable: [] };
  private settle: NodeJS.Timeout | null = null;
  private appsBurst: ComputeApp[] = [];
  private appsSettle: NodeJS.Timeout | null = null;
  private lastAppsAt = 0;
  private lastAppsCheckAt = 0;
  private lastGpus: readonly GpuSample[] = [];
  private lastTickAt = 0;
  private trouble: string | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  private notes: string[] = [];

  constructor(private readonly opts: LiveOptions) {
    this.host = opts.host ?? new HostReader();
    this.processes = opts.processes ?? new ProcessReader();
  }

  subscribe(listener: (s: Snapshot) => void): () => void {
    return this.listeners.add(listener);
  }

  latest(): Snapshot | null {
    return this.listeners.latest();
  }

  /** One one-shot collection (it learns the fields and fails fast), then the streams. */
  async start(): Promise<Snapshot> {
    const { smi } = this.opts;
    const [gpus, apps, versions] = await Promise.all([smi.queryGpus(), smi.queryComputeApps(), smi.versions().catch(() => this.versions)]);
    this.versions = versions;
    this.apps = apps.apps;
    this.lastAppsAt = this.lastAppsCheckAt = Date.now();
    this.notes = smi.notes();
    const first = this.snapshot(gpus.rows, gpus.unreachable, null);
    // Checked before anything is started, so a bad --only leaves nothing running.
    selectOrFail(first, this.opts.selection, this.opts.selectionName ?? '--only');
    this.known = first.gpus.filter((g) => g.uuid !== '').map(({ index, uuid, name, pciBusId }) => ({ index, uuid, name, pciBusId }));
    this.emit(first);

    const interval = String(Math.round(this.opts.intervalMs));
    this.gpuStream = new SmiStream(smi.path, () => [...smi.gpuQueryArgs(), '-lms', interval], {
      line: (text) => this.onGpuLine(text),
      ended: (output) => {
        this.flushTick();
        // A rejected field fails the whole stream: learn, and start again at once.
        const learnt = smi.learnFrom(output);
        if (learnt) this.notes = smi.notes();
        return learnt;
      },
      trouble: (message) => {
        this.trouble = message;
      },
    }, { stallMs: Math.max(3 * this.opts.intervalMs, 5000) });
    this.appsStream = new SmiStream(smi.path, () => [`--query-compute-apps=${COMPUTE_APPS_QUERY}`, GPU_FORMAT, '-lms', interval], {
      line: (text) => this.onAppsLine(text),
      ended: () => false,
      trouble: () => {},
    }, { stallMs: Infinity });
    // pmon samples per process over whole seconds: its shortest period is 1 s.
    const pmonSeconds = String(Math.max(1, Math.round(this.opts.intervalMs / 1000)));
    this.pmonStream = new SmiStream(smi.path, () => ['pmon', '-s', 'u', '-d', pmonSeconds], {
      line: (text) => this.onPmonLine(text),
      ended: () => false,
      trouble: () => {},
    }, { stallMs: Infinity });
    this.gpuStream.start();
    this.appsStream.start();
    this.pmonStream.start();
    this.staleTimer = setInterval(() => this.checkStale(), this.opts.intervalMs);
    return this.listeners.latest()!;
  }

  stop(): void {
    for (const s of [this.gpuStream, this.appsStream, this.pmonStream]) s?.stop();
    for (const t of [this.settle, this.appsSettle, this.pmonSettle]) if (t) clearTimeout(t);
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.gpuStream = this.appsStream = this.pmonStream = this.settle = this.appsSettle = this.pmonSettle = this.staleTimer = null;
  }

  /** pmon prints every process of every GPU each period (a GPU without any, as a `-` row): a burst is one sample. */
  private onPmonLine(text: string): void {
    this.pmonColumns = pmonColumns(text) ?? this.pmonColumns;
    const row = this.pmonColumns && parsePmonLine(text, this.pmonColumns);
    if (row) this.pmonBurst.set(utilizationKey(row.gpuIndex, row.pid), row);
    if (this.pmonSettle) clearTimeout(this.pmonSettle);
    this.pmonSettle = setTimeout(() => {
      this.utilization = this.pmonBurst;
      this.pmonBurst = new Map();
    }, TICK_SETTLE_MS);
  }

  private onGpuLine(text: string): void {
    const parsed = parseQueryGpuCsv(text, this.opts.smi.fields.columns());
    const row = parsed.rows[0];
    // A GPU seen twice means its next tick began: the current one is complete.
    if (row && this.pending.rows.some((r) => r.sample.index === row.sample.index)) this.flushTick();
    if (row) this.pending.rows.push(row);
    for (const u of parsed.unreachable) this.pending.unreachable.push({ ...u, position: this.pending.rows.length + this.pending.unreachable.length });
    if (this.pending.rows.length + this.pending.unreachable.length >= this.known.length) return this.flushTick();
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => this.flushTick(), TICK_SETTLE_MS);
  }

  private flushTick(): void {
    if (this.settle) clearTimeout(this.settle);
    this.settle = null;
    const { rows, unreachable } = this.pending;
    if (rows.length === 0 && unreachable.length === 0) return;
    this.pending = { rows: [], unreachable: [] };
    this.trouble = null;
    this.maybeCheckApps();
    this.emit(this.snapshot(rows, unreachable, null));
  }

  private onAppsLine(text: string): void {
    const { apps } = parseComputeAppsCsv(text);
    this.appsBurst.push(...apps);
    if (this.appsSettle) clearTimeout(this.appsSettle);
    this.appsSettle = setTimeout(() => {
      this.apps = this.appsBurst;
      this.appsBurst = [];
      this.lastAppsAt = this.lastAppsCheckAt = Date.now();
    }, TICK_SETTLE_MS);
  }

  /** Silence on the process stream: confirm with a one-shot query (at most one at a time, then every 30 s). */
  private maybeCheckApps(): void {
    const now = Date.now();
    const silent = now - this.lastAppsAt > 1.5 * this.opts.intervalMs + 250;
    const due = this.lastAppsCheckAt <= this.lastAppsAt || now - this.lastAppsCheckAt > 30_000;
    if (!silent || !due) return;
    this.lastAppsCheckAt = now;
    this.opts.smi.queryComputeApps().then(
      (r) => {
        // Rows that streamed in meanwhile are newer than this answer.
        if (Date.now() - this.lastAppsAt > this.opts.intervalMs) this.apps = r.apps;
      },
      () => {},
    );
  }

  private checkStale(): void {
    const since = this.lastTickAt;
    if (!this.gpuStream || Date.now() - since < 2.5 * this.opts.intervalMs) return;
    const stale: Staleness = { since, reason: this.trouble ?? 'nvidia-smi has sent nothing new' };
    // The GPUs as last seen, the host as it is now: keys and the host panel stay alive.
    this.emit(this.snapshotOf(this.lastGpus, stale));
  }

  private snapshot(rows: readonly GpuRow[], unreachable: QueryGpuResult['unreachable'], stale: Staleness | null): Snapshot {
    const gpus = withLostGpus(
      rows.map((r) => r.sample),
      this.known,
      unreachable,
    );
    this.lastGpus = gpus;
    this.lastTickAt = Date.now();
    if (!this.versions.driverVersion) this.versions = { ...this.versions, driverVersion: rows.find((r) => r.driverVersion)?.driverVersion ?? null };
    return this.snapshotOf(gpus, stale);
  }

  private snapshotOf(gpus: readonly GpuSample[], stale: Staleness | null): Snapshot {
    const hostSample = this.host.sample();
    const time = Date.now();
    return assembleSnapshot({
      time,
      source: { kind: 'nvidia-smi', path: this.opts.smi.path },
      driverVersion: this.versions.driverVersion,
      cudaVersion: this.versions.cudaVersion,
      gpus,
      apps: this.apps,
      utilization: this.utilization,
      hostProcesses: this.processes.read(
        this.apps.map((a) => a.pid),
        hostSample.memoryTotalBytes,
        time,
      ),
      host: hostSample,
      stale,
      notes: this.notes,
    });
  }

  /** Selected GPUs only. Never fails once started: a selected GPU that vanishes stays, as lost. */
  private emit(snapshot: Snapshot): void {
    this.listeners.emit(selectGpus(snapshot, this.opts.selection));
  }
}
