import { performance } from 'node:perf_hooks';
import { percentileOfSorted } from '../model/stats.js';
import type { FailureKind, RequestOutcome } from './request.js';
import type { ServerMetricsPoint } from './server-metrics.js';

/** What a running HTTP benchmark looks like now: the state the monitor's panel and the progress line render. */
export interface BenchProgress {
  readonly phase: 'starting' | 'baseline' | 'warmup' | 'running' | 'finished' | 'interrupted' | 'failed';
  readonly model: string | null;
  readonly iteration: number;
  readonly iterations: number;
  readonly elapsedS: number;
  /** Requests to send this iteration; null when the duration decides. */
  readonly target: number | null;
  readonly durationS: number | null;
  readonly sent: number;
  readonly completed: number;
  readonly failed: number;
  readonly inFlight: number;
  /** Over the last WINDOW_S seconds. */
  readonly requestsPerS: number | null;
  readonly outputTokensPerS: number | null;
  readonly ttftMs: Percentiles | null;
  readonly itlMs: Percentiles | null;
  readonly errors: Readonly<Partial<Record<FailureKind, number>>>;
  readonly lastError: string | null;
  readonly server: ServerMetricsPoint | null;
  readonly serverError: string | null;
  /** Set when the run is over: where the result went, or why it failed. */
  readonly message: string | null;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** The rolling window of the live numbers (s). */
export const WINDOW_S = 10;

function percentiles(values: number[]): Percentiles | null {
  if (!values.length) return null;
  values.sort((a, b) => a - b);
  return { p50: percentileOfSorted(values, 50)!, p90: percentileOfSorted(values, 90)!, p99: percentileOfSorted(values, 99)! };
}

/** Counts a run as it goes, and keeps the last WINDOW_S seconds of finished requests for rolling numbers. */
export class LiveStats {
  private recent: RequestOutcome[] = [];
  private state: Omit<BenchProgress, 'elapsedS' | 'requestsPerS' | 'outputTokensPerS' | 'ttftMs' | 'itlMs' | 'server' | 'serverError'>;
  private startedAt = performance.now();
  private readonly listeners = new Set<() => void>();
  server: ServerMetricsPoint | null = null;
  serverError: string | null = null;

  constructor(iterations: number, target: number | null, durationS: number | null) {
    this.state = { phase: 'starting', model: null, iteration: 0, iterations, target, durationS, sent: 0, completed: 0, failed: 0, inFlight: 0, errors: {}, lastError: null, message: null };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<Pick<BenchProgress, 'phase' | 'model' | 'message'>>): void {
    this.state = { ...this.state, ...patch };
    this.emit();
  }

  beginIteration(iteration: number): void {
    this.startedAt = performance.now();
    this.recent = [];
    this.state = { ...this.state, phase: 'running', iteration, sent: 0, completed: 0, failed: 0, inFlight: 0 };
    this.emit();
  }

  sent(): void {
    this.state = { ...this.state, sent: this.state.sent + 1, inFlight: this.state.inFlight + 1 };
  }

  finished(o: RequestOutcome): void {
    const s = this.state;
    const kind = o.failure?.kind;
    const errors = kind && kind !== 'cancelled' ? { ...s.errors, [kind]: (s.errors[kind] ?? 0) + 1 } : s.errors;
    this.state = {
      ...s,
      inFlight: s.inFlight - 1,
      completed: s.completed + (o.failure ? 0 : 1),
      failed: s.failed + (kind && kind !== 'cancelled' ? 1 : 0),
      errors,
      lastError: kind && kind !== 'cancelled' ? o.failure!.message : s.lastError,
    };
    if (!o.failure) this.recent.push(o);
  }

  /** The state now, with the rolling numbers computed over the window. */
  progress(now = performance.now()): BenchProgress {
    const from = now - WINDOW_S * 1000;
    this.recent = this.recent.filter((o) => o.endAt >= from);
    const span = Math.min(WINDOW_S, (now - this.startedAt) / 1000);
    const running = this.state.phase === 'running' && span > 0.5;
    return {
      ...this.state,
      elapsedS: (now - this.startedAt) / 1000,
      requestsPerS: running ? this.recent.length / span : null,
      outputTokensPerS: running ? this.recent.reduce((a, o) => a + o.outputTokens, 0) / span : null,
      ttftMs: percentiles(this.recent.map((o) => o.ttftMs).filter((v): v is number => v !== null)),
      itlMs: percentiles(this.recent.flatMap((o) => o.itlsMs)),
      server: this.server,
      serverError: this.serverError,
    };
  }

  emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
