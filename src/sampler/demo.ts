import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectGpus } from '../model/select.js';
import type { GpuSample, HostSample, Snapshot } from '../model/types.js';
import { packageRoot } from '../package-root.js';
import { assembleSnapshot, utilizationKey } from './assemble.js';
import type { HostProcessInfo } from './host/proc-processes.js';
import type { ComputeApp } from './nvidia-smi/compute-apps.js';
import type { PmonRow } from './nvidia-smi/pmon.js';
import { columnsFromHeader, type GpuColumn, parseGpuRow } from './nvidia-smi/query-gpu.js';
import { PolledSource, selectOrFail, type SourceOptions } from './source.js';

/**
 * `--demo`: replays recorded nvidia-smi output from fixtures/demo through the
 * same parser as live data, so a machine without a GPU shows what gpumon
 * shows on one. Each recording is a JSON file naming its CSV series, with the
 * processes and host that go with it.
 */
export const DEMO_RECORDINGS = ['8xh100', 'h100'] as const;
export type DemoName = (typeof DEMO_RECORDINGS)[number];
export const DEFAULT_DEMO: DemoName = '8xh100';

interface DemoProcessSpec {
  readonly pid: number;
  readonly gpuUuid: string;
  readonly name: string;
  readonly gpuMemoryMiB: number;
  /** The process is alive while its GPU's used memory is at least this (that is how it showed in the recording). */
  readonly whileMemoryUsedMiB: number;
  readonly user: string;
  /** From pmon under the same load; absent when pmon showed `-`. */
  readonly smPercent?: number;
  readonly memoryBandwidthPercent?: number;
  readonly cpuPercent: number;
  readonly rssBytes: number;
  readonly argv: readonly string[];
}

interface RecordingSpec {
  readonly description: string;
  readonly about: string;
  readonly series: string;
  readonly cudaVersion: string;
  /** Where in the recording `--once --demo` looks (ms from its start): a moment under load. */
  readonly onceAtMs: number;
  readonly host: Omit<HostSample, 'unknown'>;
  readonly processes: readonly DemoProcessSpec[];
}

/** One sampling instant of a recording: its CSV lines, parsed when first shown. */
interface DemoTick {
  readonly offsetMs: number;
  readonly lines: string[];
  gpus?: readonly GpuSample[];
}

export interface DemoRecording {
  readonly name: DemoName;
  readonly spec: RecordingSpec;
  readonly driverVersion: string | null;
  readonly ticks: readonly DemoTick[];
  readonly columns: readonly GpuColumn[];
  /** Length of one pass; replay wraps around. */
  readonly durationMs: number;
}

/** `2026/11/22 11:45:32.549` -> ms (as UTC: only differences matter). */
function timestampMs(text: string): number | null {
  const m = text && /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as [number, number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

export function demoDir(): string {
  return join(packageRoot(), 'fixtures', 'demo');
}

/**
 * Reads a recording: a `--query-gpu` CSV with a header whose first column is
 * the timestamp. Rows are grouped into ticks by timestamp here; a tick's rows
 * are parsed when it is first shown, so `--once --demo` parses one tick.
 */
export function loadRecording(name: DemoName, dir = demoDir()): DemoRecording {
  const spec = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as RecordingSpec;
  const [header = '', ...lines] = readFileSync(join(dir, spec.series), 'utf8').trimEnd().split('\n');
  const columns = columnsFromHeader(header);
  if (columns[0] !== 'timestamp') throw new Error(`demo recording ${name}: the first column must be the timestamp`);
  const ticks: DemoTick[] = [];
  let start: number | null = null;
  let last = '';
  for (const line of lines) {
    const stamp = line.slice(0, line.indexOf(','));
    if (stamp !== last) {
      const at = timestampMs(stamp);
      if (at === null) throw new Error(`demo recording ${name}: a row without a timestamp: ${line.slice(0, 40)}`);
      start ??= at;
      ticks.push({ offsetMs: at - start, lines: [] });
      last = stamp;
    }
    ticks[ticks.length - 1]!.lines.push(line);
  }
  const lastTick = ticks[ticks.length - 1];
  if (!lastTick) throw new Error(`demo recording ${name} has no rows`);
  // One more mean interval after the last row, so the wrap-around keeps the pace.
  const durationMs = lastTick.offsetMs + lastTick.offsetMs / Math.max(1, ticks.length - 1);
  const driverVersion = parseGpuRow(lines[0]!, columns).row?.driverVersion ?? null;
  return { name, spec, driverVersion, ticks, columns, durationMs };
}

/** The GPUs of one tick, parsed on first use. */
function gpusAt(rec: DemoRecording, tick: number): readonly GpuSample[] {
  const t = rec.ticks[tick]!;
  t.gpus ??= t.lines.map((line) => {
    const { row, problem } = parseGpuRow(line, rec.columns);
    if (!row || problem) throw new Error(`demo recording ${rec.name} is damaged: ${problem ?? line}`);
    return row.sample;
  });
  return t.gpus;
}

/** The tick shown `offsetMs` into the replay (wrapping around), and its position. */
function tickAt(rec: DemoRecording, offsetMs: number): number {
  const t = ((offsetMs % rec.durationMs) + rec.durationMs) % rec.durationMs;
  let i = 0;
  while (i + 1 < rec.ticks.length && rec.ticks[i + 1]!.offsetMs <= t) i++;
  return i;
}

function alive(rec: DemoRecording, p: DemoProcessSpec, tick: number): boolean {
  const gpu = gpusAt(rec, tick).find((g) => g.uuid === p.gpuUuid);
  return (gpu?.memoryUsedMiB ?? 0) >= p.whileMemoryUsedMiB;
}

/** The snapshot `offsetMs` into the recording, stamped `now`. */
export function demoSnapshot(rec: DemoRecording, offsetMs: number, now = Date.now()): Snapshot {
  const tick = tickAt(rec, offsetMs);
  const apps: ComputeApp[] = [];
  const hostProcesses = new Map<number, HostProcessInfo>();
  const utilization = new Map<string, PmonRow>();
  const { host } = rec.spec;
  for (const p of rec.spec.processes) {
    if (!alive(rec, p, tick)) continue;
    let first = tick;
    while (first > 0 && alive(rec, p, first - 1)) first--;
    const elapsedSeconds = (rec.ticks[tick]!.offsetMs - rec.ticks[first]!.offsetMs) / 1000;
    apps.push({ pid: p.pid, gpuUuid: p.gpuUuid, name: p.name, gpuMemoryMiB: p.gpuMemoryMiB, unknown: {} });
    const gpuIndex = gpusAt(rec, tick).find((g) => g.uuid === p.gpuUuid)?.index;
    if (gpuIndex !== undefined) {
      const sm = p.smPercent ?? null;
      const mem = p.memoryBandwidthPercent ?? null;
      utilization.set(utilizationKey(gpuIndex, p.pid), {
        gpuIndex,
        pid: p.pid,
        smPercent: sm,
        memoryBandwidthPercent: mem,
        unknown: { ...(sm === null ? { smPercent: 'not_available' } : {}), ...(mem === null ? { memoryBandwidthPercent: 'not_available' } : {}) },
      });
    }
    hostProcesses.set(p.pid, {
      user: p.user,
      cpuPercent: p.cpuPercent,
      rssBytes: p.rssBytes,
      memPercent: host.memoryTotalBytes ? (p.rssBytes / host.memoryTotalBytes) * 100 : null,
      elapsedSeconds,
      startTimeMs: now - elapsedSeconds * 1000,
      argv: p.argv,
      unknown: {},
    });
  }
  return assembleSnapshot({
    time: now,
    source: { kind: 'demo', recording: rec.name, description: rec.spec.description },
    driverVersion: rec.driverVersion,
    cudaVersion: rec.spec.cudaVersion,
    gpus: gpusAt(rec, tick),
    apps,
    hostProcesses,
    utilization,
    host: { ...host, uptimeSeconds: (host.uptimeSeconds ?? 0) + offsetMs / 1000, unknown: {} },
  });
}

/**
 * The demo as a SnapshotSource: the recording replayed in real time (a 250 ms
 * recording at a 1 s interval shows every fourth row), wrapping around.
 */
export class DemoSource extends PolledSource {
  private startedAt = 0;

  constructor(
    private readonly recording: DemoRecording,
    private readonly opts: SourceOptions,
    private readonly clock: () => number = Date.now,
  ) {
    super(opts.intervalMs);
  }

  protected async first(): Promise<Snapshot> {
    this.startedAt = this.clock();
    return selectOrFail(this.current(), this.opts.selection, '--only');
  }

  protected next(): Snapshot {
    return selectGpus(this.current(), this.opts.selection);
  }

  private current(): Snapshot {
    const now = this.clock();
    return demoSnapshot(this.recording, now - this.startedAt, now);
  }
}
