import { type ComputeAppsResult, COMPUTE_APPS_QUERY, parseComputeAppsCsv } from './compute-apps.js';
import { classifySmiExit, unreadable } from './failure.js';
import { GpuFieldSet, rejectedFieldName } from './gpu-fields.js';
import { parseQueryGpuCsv, type QueryGpuResult } from './query-gpu.js';
import { runSmi } from './run.js';
import { parseSmiVersion, type SmiVersions } from './version.js';

export const GPU_FORMAT = '--format=csv,noheader,nounits';

/**
 * One nvidia-smi binary and what gpumon has learnt about it: which fields its
 * driver accepts, and its versions. Each kind of query runs at most once at a
 * time; a caller that asks while one is running shares its result.
 */
export class NvidiaSmi {
  readonly fields = new GpuFieldSet();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private versionsCache: SmiVersions | null = null;

  constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {}

  private once<T>(kind: string, run: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(kind) as Promise<T> | undefined;
    if (running) return running;
    const p = run().finally(() => this.inflight.delete(kind));
    this.inflight.set(kind, p);
    return p;
  }

  /** The arguments for a `--query-gpu` run with the fields that work here. */
  gpuQueryArgs(): string[] {
    return [`--query-gpu=${this.fields.queryArgument()}`, GPU_FORMAT];
  }

  /**
   * Runs `--query-gpu`, learning which fields the driver rejects (it fails the
   * whole query for one unknown field, exit 2) and asking again without them.
   */
  queryGpus(): Promise<QueryGpuResult> {
    return this.once('gpus', async () => {
      for (;;) {
        const out = await runSmi(this.path, this.gpuQueryArgs(), this.timeoutMs);
        const said = out.stdout + out.stderr;
        if (out.exitCode !== 0 && this.learnFrom(said)) continue;
        const parsed = parseQueryGpuCsv(out.stdout, this.fields.columns());
        // With a GPU lost, nvidia-smi exits non-zero but still prints the GPUs it reached.
        if (parsed.rows.length > 0 || parsed.unreachable.length > 0) return parsed;
        throw out.exitCode === 0 ? unreadable(this.path, said) : classifySmiExit(this.path, out.exitCode, said);
      }
    });
  }

  /** Applies a "not a valid field" message; false when there is nothing to learn from it. */
  learnFrom(output: string): boolean {
    const name = rejectedFieldName(output);
    return name !== null && this.fields.reject(name) !== null;
  }

  queryComputeApps(): Promise<ComputeAppsResult> {
    return this.once('apps', async () => {
      const out = await runSmi(this.path, [`--query-compute-apps=${COMPUTE_APPS_QUERY}`, GPU_FORMAT], this.timeoutMs);
      if (out.exitCode !== 0) throw classifySmiExit(this.path, out.exitCode, out.stdout + out.stderr);
      const parsed = parseComputeAppsCsv(out.stdout);
      if (parsed.apps.length === 0 && parsed.problems.length > 0) throw unreadable(this.path, out.stdout);
      return parsed;
    });
  }

  /** Driver and CUDA versions; asked once, since they cannot change while the driver is loaded. */
  versions(): Promise<SmiVersions> {
    if (this.versionsCache) return Promise.resolve(this.versionsCache);
    return this.once('versions', async () => {
      const out = await runSmi(this.path, ['--version'], this.timeoutMs);
      // Old drivers have no --version: then the versions are simply unknown.
      const v = out.exitCode === 0 ? parseSmiVersion(out.stdout) : { driverVersion: null, cudaVersion: null };
      this.versionsCache = v;
      return v;
    });
  }

  /** Things the user should know about this driver, e.g. fields it lacks. */
  notes(): string[] {
    const dropped = this.fields.dropped().map((f) => f.query.join(' / '));
    return dropped.length ? [`this driver does not report: ${dropped.join(', ')}`] : [];
  }
}
