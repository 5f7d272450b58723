import { type GpuSelection, selectGpus } from '../model/select.js';
import type { GpuSample, Snapshot, Staleness } from '../model/types.js';
import { Burst } from './burst.js';
import { type Clock, type ClockTimer, realClock } from './clock.js';
import { assembleSnapshot, type KnownGpu, utilizationKey, withLostGpus } from './assemble.js';
import { HostReader } from './host/proc-host.js';
import { ProcessReader } from './host/proc-processes.js';
import { GPU_FORMAT, type NvidiaSmi } from './nvidia-smi/client.js';
import { type ComputeApp, COMPUTE_APPS_QUERY, parseComputeAppsCsv } from './nvidia-smi/compute-apps.js';
import { type GpuRow, parseQueryGpuCsv, type QueryGpuResult } from './nvidia-smi/query-gpu.js';
import { parsePmonLine, type PmonColumns, pmonColumns, type PmonRow } from './nvidia-smi/pmon.js';
import { SmiStream, type StreamHandlers, type StreamOptions } from './nvidia-smi/stream.js';
import type { SmiVersions } from './nvidia-smi/version.js';
import { Listeners, selectOrFail, type SnapshotSource } from './source.js';

/** A long-lived nvidia-smi, as the sampler uses it. */
export type Stream = Pick<SmiStream, 'start' | 'stop'>;
/** Makes, without starting it, the stream for these arguments: an `SmiStream` on the binary, unless a test feeds the lines itself. */
export type OpenStream = (args: () => readonly string[], handlers: StreamHandlers, opts: StreamOptions) => Stream;

export interface LiveOptions {
  readonly smi: NvidiaSmi;
  readonly intervalMs: number;
  readonly selection: GpuSelection;
  /** Named in the message when the selection matches nothing. */
  readonly selectionName?: string;
  readonly host?: HostReader;
  readonly processes?: ProcessReader;
  /** The real clock unless a test drives one. */
  readonly clock?: Clock;
  readonly openStream?: OpenStream;
}

/** How long rows of one sample may trickle in before the sample is taken as complete. */
const TICK_SETTLE_MS = 40;
/** While the process stream stays silent, the one-shot query that settles it is repeated this often. */
const APPS_RECHECK_MS = 30_000;

/** A line of a GPU tick: a GPU's row, or a GPU nvidia-smi could not reach. */
type TickLine = GpuRow | QueryGpuResult['unreachable'][number];

/**
 * Live snapshots from three long-lived nvidia-smi processes: `--query-gpu -lms`
 * (every interval), `--query-compute-apps -lms`, and `pmon -s u` (%SM per
 * process). A GPU tick makes a snapshot, joined with the latest process list,
 * the latest %SM and fresh host readings. Each stream prints a sample as a
 * burst of lines, taken together after a quiet gap.
 *
 * nvidia-smi prints nothing for a tick with no compute processes, so silence
 * on the process stream is ambiguous (none left, or the stream is stuck): it
 * is settled with one one-shot query, then again every 30 s while silent.
 */
export class LiveSampler implements SnapshotSource {
  private readonly listeners = new Listeners();
  private readonly host: HostReader;
  private readonly processes: ProcessReader;
  private readonly clock: Clock;
  private known: KnownGpu[] = [];
  private versions: SmiVersions = { driverVersion: null, cudaVersion: null };
  private apps: readonly ComputeApp[] = [];
  private streams: Stream[] = [];
  private running = false;
  private pmonColumns: PmonColumns | null = null;
  /** Per-process %SM from pmon, or null until its first sample. */
  private utilization: Map<string, PmonRow> | null = null;
  private readonly tick: Burst<TickLine>;
  private readonly appsBurst: Burst<ComputeApp>;
  /** pmon prints every process of every GPU each period (a GPU without any, as a `-` row): a burst is one sample. */
  private readonly pmonBurst: Burst<PmonRow>;
  private lastAppsAt = 0;
  private lastAppsCheckAt = 0;
  private lastGpus: readonly GpuSample[] = [];
  private lastTickAt = 0;
  private trouble: string | null = null;
  private staleTimer: ClockTimer | null = null;
  private notes: string[] = [];

  constructor(private readonly opts: LiveOptions) {
    this.host = opts.host ?? new HostReader();
    this.processes = opts.processes ?? new ProcessReader();
    this.clock = opts.clock ?? realClock;
    this.tick = new Burst(this.clock, TICK_SETTLE_MS, (lines) => this.onTick(lines));
    this.appsBurst = new Burst(this.clock, TICK_SETTLE_MS, (apps) => {
      this.apps = apps;
      this.lastAppsAt = this.lastAppsCheckAt = this.clock.now();
    });
    this.pmonBurst = new Burst(this.clock, TICK_SETTLE_MS, (rows) => {
      this.utilization = new Map(rows.map((r) => [utilizationKey(r.gpuIndex, r.pid), r]));
    });
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
    this.lastAppsAt = this.lastAppsCheckAt = this.clock.now();
    this.notes = smi.notes();
    const first = this.snapshot(gpus.rows, gpus.unreachable, null);
    // Checked before anything is started, so a bad --only leaves nothing running.
    selectOrFail(first, this.opts.selection, this.opts.selectionName ?? '--only');
    this.known = first.gpus.filter((g) => g.uuid !== '').map(({ index, uuid, name, pciBusId }) => ({ index, uuid, name, pciBusId }));
    this.emit(first);

    const open = this.opts.openStream ?? ((args, handlers, opts) => new SmiStream(smi.path, args, handlers, opts));
    // A line that comes while stop() kills the stream is dropped: it would start a timer after stop.
    const line = (read: (text: string) => void) => (text: string) => {
      if (this.running) read(text);
    };
    const quiet = { ended: () => false, trouble: () => {} };
    const interval = String(Math.round(this.opts.intervalMs));
    // pmon samples per process over whole seconds: its shortest period is 1 s.
    const pmonSeconds = String(Math.max(1, Math.round(this.opts.intervalMs / 1000)));
    this.streams = [
      open(() => [...smi.gpuQueryArgs(), '-lms', interval], {
        line: line((text) => this.onGpuLine(text)),
        ended: (output) => {
          this.tick.settle();
          // A rejected field fails the whole stream: learn, and start again at once.
          const learnt = smi.learnFrom(output);
          if (learnt) this.notes = smi.notes();
          return learnt;
        },
        trouble: (message) => {
          this.trouble = message;
        },
      }, { stallMs: Math.max(3 * this.opts.intervalMs, 5000) }),
      open(() => [`--query-compute-apps=${COMPUTE_APPS_QUERY}`, GPU_FORMAT, '-lms', interval], { ...quiet, line: line((text) => this.appsBurst.add(parseComputeAppsCsv(text).apps)) }, { stallMs: Infinity }),
      open(() => ['pmon', '-s', 'u', '-d', pmonSeconds], { ...quiet, line: line((text) => this.onPmonLine(text)) }, { stallMs: Infinity }),
    ];
    this.running = true;
    for (const s of this.streams) s.start();
    this.staleTimer = this.clock.setInterval(() => this.checkStale(), this.opts.intervalMs);
    this.staleTimer.unref();
    return this.listeners.latest()!;
  }

  stop(): void {
    this.running = false;
    for (const s of this.streams) s.stop();
    for (const b of [this.tick, this.appsBurst, this.pmonBurst]) b.stop();
    if (this.staleTimer) this.clock.clearInterval(this.staleTimer);
    this.streams = [];
    this.staleTimer = null;
  }

  private onPmonLine(text: string): void {
    this.pmonColumns = pmonColumns(text) ?? this.pmonColumns;
    const row = this.pmonColumns && parsePmonLine(text, this.pmonColumns);
    this.pmonBurst.add(row ? [row] : []);
  }

  private onGpuLine(text: string): void {
    const parsed = parseQueryGpuCsv(text, this.opts.smi.fields.columns());
    const row = parsed.rows[0];
    // A GPU seen twice means its next tick began: the current one is complete.
    if (row && this.tick.items.some((l) => 'sample' in l && l.sample.index === row.sample.index)) this.tick.settle();
    this.tick.add([...parsed.rows, ...parsed.unreachable]);
    if (this.tick.items.length >= this.known.length) this.tick.settle();
  }

  private onTick(lines: readonly TickLine[]): void {
    if (lines.length === 0) return;
    const rows: GpuRow[] = [];
    const unreachable: QueryGpuResult['unreachable'] = [];
    lines.forEach((l, position) => ('sample' in l ? rows.push(l) : unreachable.push({ ...l, position })));
    this.trouble = null;
    this.maybeCheckApps();
    this.emit(this.snapshot(rows, unreachable, null));
  }

  /** Silence on the process stream: confirm with a one-shot query (at most one at a time, then every 30 s). */
  private maybeCheckApps(): void {
    const now = this.clock.now();
    const silent = now - this.lastAppsAt > 1.5 * this.opts.intervalMs + 250;
    const due = this.lastAppsCheckAt <= this.lastAppsAt || now - this.lastAppsCheckAt > APPS_RECHECK_MS;
    if (!silent || !due) return;
    this.lastAppsCheckAt = now;
    this.opts.smi.queryComputeApps().then(
      (r) => {
        // Rows that streamed in meanwhile are newer than this answer.
        if (this.clock.now() - this.lastAppsAt > this.opts.intervalMs) this.apps = r.apps;
      },
      () => {},
    );
  }

  private checkStale(): void {
    const since = this.lastTickAt;
    if (!this.running || this.clock.now() - since < 2.5 * this.opts.intervalMs) return;
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
    this.lastTickAt = this.clock.now();
    if (!this.versions.driverVersion) this.versions = { ...this.versions, driverVersion: rows.find((r) => r.driverVersion)?.driverVersion ?? null };
    return this.snapshotOf(gpus, stale);
  }

  private snapshotOf(gpus: readonly GpuSample[], stale: Staleness | null): Snapshot {
    const hostSample = this.host.sample();
    const time = this.clock.now();
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
