import type { Dispatcher } from 'undici';
import { performance } from 'node:perf_hooks';
import { whenAborted } from './abort.js';
import { arrivalGaps } from './arrivals.js';
import { type RequestOutcome, type RequestSpec, sendRequest } from './request.js';

export interface LoadPlan {
  /** Requests to send; null: until `durationMs`. */
  readonly numPrompts: number | null;
  /** Stop sending new requests after this long (ms); null: no time limit. */
  readonly durationMs: number | null;
  /** Requests per second; Infinity sends as fast as the concurrency allows. */
  readonly requestRate: number;
  readonly burstiness: number;
  /** At most this many requests in flight; null: no limit. */
  readonly maxConcurrency: number | null;
  readonly seed: number;
}

export type StopReason = 'completed' | 'duration' | 'interrupted';

export interface LoadRun {
  readonly outcomes: RequestOutcome[];
  readonly startedAt: number;
  readonly endedAt: number;
  readonly stoppedBy: StopReason;
}

export interface LoadHooks {
  readonly signal?: AbortSignal;
  onSent?(index: number): void;
  onOutcome?(outcome: RequestOutcome): void;
}

/** Resolves at `at` (performance.now() ms), or early when aborted. */
function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  const ms = at - performance.now();
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => (clearTimeout(timer), stopWaiting(), resolve());
    const timer = setTimeout(done, ms);
    const stopWaiting = whenAborted(signal, done);
  });
}

/**
 * Drives the load: sends `request(i)` on vLLM's arrival schedule, holding at
 * most `maxConcurrency` in flight, until the prompts are used up, the
 * duration is over, or `signal` aborts (requests in flight are then
 * cancelled and kept as such). Each request counts from when it was due: its
 * slot in the schedule, or for an infinite rate the moment a slot was free.
 */
export async function runLoad(plan: LoadPlan, pool: Dispatcher, request: (index: number) => RequestSpec, hooks: LoadHooks = {}): Promise<LoadRun> {
  const { signal } = hooks;
  const gap = arrivalGaps(plan.requestRate, plan.burstiness, plan.seed);
  const outcomes: RequestOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const slotFreed: (() => void)[] = [];
  const startedAt = performance.now();
  const deadline = plan.durationMs === null ? Infinity : startedAt + plan.durationMs;
  let stoppedBy: StopReason = 'completed';
  let due = startedAt;

  const waitForSlot = () =>
    new Promise<void>((resolve) => {
      const done = () => (stopWaiting(), resolve());
      slotFreed.push(done);
      const stopWaiting = whenAborted(signal, done);
    });

  for (let i = 0; plan.numPrompts === null || i < plan.numPrompts; i++) {
    if (due >= deadline) {
      stoppedBy = 'duration';
      break;
    }
    await sleepUntil(due, signal);
    while (plan.maxConcurrency !== null && inFlight.size >= plan.maxConcurrency && !signal?.aborted) await waitForSlot();
    if (signal?.aborted) {
      stoppedBy = 'interrupted';
      break;
    }
    const now = performance.now();
    if (now >= deadline) {
      stoppedBy = 'duration';
      break;
    }
    const dueAt = Number.isFinite(plan.requestRate) ? due : now;
    const p = sendRequest(pool, request(i), dueAt, signal).then((o) => {
      outcomes.push(o);
      inFlight.delete(p);
      hooks.onOutcome?.(o);
      slotFreed.shift()?.();
    });
    inFlight.add(p);
    hooks.onSent?.(i);
    due += gap();
  }
  await Promise.all(inFlight);
  if (signal?.aborted) stoppedBy = 'interrupted';
  return { outcomes, startedAt, endedAt: performance.now(), stoppedBy };
}
