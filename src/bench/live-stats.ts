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

type Phase = BenchProgress['phase'];

/**
 * The rolling percentiles are of at most this many of the latest requests in
 * the window (TTFT), and the gaps of the latest of those up to 8 times as
 * many (ITL): enough for a p99 on screen, and sorting them a few times a
 * second stays cheap however fast the run goes.
 */
export const LIVE_SAMPLE = 2048;
const LIVE_ITL_SAMPLE = 8 * LIVE_SAMPLE;

/** One second of finished requests, for the rolling rates. */
interface SecondBucket {
  second: number;
  requests: number;
  tokens: number;
}

/**
 * Counts a run as it goes, for the live view: totals, rates over the last
 * WINDOW_S seconds from per-second buckets, and TTFT and ITL percentiles over
 * the latest LIVE_SAMPLE requests in that window. Everything per request is
 * a bump of a field (a run finishes tens of thousands a second); progress()
 * makes the snapshot views read, a few times a second.
 */
export class LiveStats {
  /** A ring of the latest successful requests; `sampleNext` is where the next one goes once it is full. */
  private sample: RequestOutcome[] = [];
  private sampleNext = 0;
  private perSecond: SecondBucket[] = [];
  private startedAt = performance.now();
  private readonly listeners = new Set<() => void>();
  private phase: Phase = 'starting';
  private model: string | null = null;
  private message: string | null = null;
  private iteration = 0;
  private sentCount = 0;
  private completed = 0;
  private failed = 0;
  private inFlight = 0;
  private errors: Partial<Record<FailureKind, number>> = {};
  private lastError: string | null = null;
  server: ServerMetricsPoint | null = null;
  serverError: string | null = null;

  constructor(
    private readonly iterations: number,
    private readonly target: number | null,
    private readonly durationS: number | null,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<Pick<BenchProgress, 'phase' | 'model' | 'message'>>): void {
    if (patch.phase !== undefined) this.phase = patch.phase;
    if (patch.model !== undefined) this.model = patch.model;
    if (patch.message !== undefined) this.message = patch.message;
    this.emit();
  }

  beginIteration(iteration: number): void {
    this.startedAt = performance.now();
    this.sample = [];
    this.sampleNext = 0;
    this.perSecond = [];
    this.phase = 'running';
    this.iteration = iteration;
    this.sentCount = this.completed = this.failed = this.inFlight = 0;
    this.emit();
  }

  sent(): void {
    this.sentCount++;
    this.inFlight++;
  }

  finished(o: RequestOutcome): void {
    this.inFlight--;
    const { failure } = o;
    if (!failure) {
      this.completed++;
      this.remember(o);
    } else if (failure.kind !== 'cancelled') {
      this.failed++;
      this.errors[failure.kind] = (this.errors[failure.kind] ?? 0) + 1;
      this.lastError = failure.message;
    }
  }

  private remember(o: RequestOutcome): void {
    if (this.sample.length < LIVE_SAMPLE) this.sample.push(o);
    else {
      this.sample[this.sampleNext] = o;
      this.sampleNext = (this.sampleNext + 1) % LIVE_SAMPLE;
    }
    const second = Math.max(0, Math.floor((o.endAt - this.startedAt) / 1000));
    const slot = second % (WINDOW_S + 1);
    const b = (this.perSecond[slot] ??= { second, requests: 0, tokens: 0 });
    if (b.second !== second) Object.assign(b, { second, requests: 0, tokens: 0 });
    b.requests++;
    b.tokens += o.outputTokens;
  }

  /** The state now, with the rolling numbers computed over the window. */
  progress(now = performance.now()): BenchProgress {
    const elapsedS = (now - this.startedAt) / 1000;
    // The window: the whole seconds from WINDOW_S - 1 ago to the current, partial one.
    const nowSecond = Math.floor(elapsedS);
    const firstSecond = Math.max(0, nowSecond - WINDOW_S + 1);
    let requests = 0;
    let tokens = 0;
    for (const b of this.perSecond)
      if (b && b.second >= firstSecond && b.second <= nowSecond) {
        requests += b.requests;
        tokens += b.tokens;
      }
    const span = elapsedS - firstSecond;
    const running = this.phase === 'running' && span > 0.5;
    // The sample in the window, newest first.
    const from = now - WINDOW_S * 1000;
    const recent: RequestOutcome[] = [];
    const n = this.sample.length;
    for (let k = 1; k <= n; k++) {
      const o = this.sample[(this.sampleNext - k + n) % n]!;
      if (o.endAt >= from) recent.push(o);
    }
    const itls: number[] = [];
    for (const o of recent) {
      if (itls.length >= LIVE_ITL_SAMPLE) break;
      for (const gap of o.itlsMs) itls.push(gap);
    }
    return {
      phase: this.phase,
      model: this.model,
      iteration: this.iteration,
      iterations: this.iterations,
      elapsedS,
      target: this.target,
      durationS: this.durationS,
      sent: this.sentCount,
      completed: this.completed,
      failed: this.failed,
      inFlight: this.inFlight,
      requestsPerS: running ? requests / span : null,
      outputTokensPerS: running ? tokens / span : null,
      ttftMs: percentiles(recent.map((o) => o.ttftMs).filter((v): v is number => v !== null)),
      itlMs: percentiles(itls),
      errors: { ...this.errors },
      lastError: this.lastError,
      server: this.server,
      serverError: this.serverError,
      message: this.message,
    };
  }

  emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
