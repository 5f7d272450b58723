import { performance } from 'node:perf_hooks';
import { listenForAbort, stopListening } from './abort.js';
import { arrivalGaps } from './arrivals.js';
import type { Http1Client } from './http1-client.js';
import { type RequestOutcome, type RequestSpec, startRequest } from './request.js';

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

/**
 * Drives the load: sends `request(i)` on vLLM's arrival schedule, holding at
 * most `maxConcurrency` in flight, until the prompts are used up, the
 * duration is over, or `signal` aborts (requests in flight are then
 * cancelled and kept as such). Each request counts from when it was due: its
 * slot in the schedule, or for an infinite rate the moment a slot was free.
 *
 * Event-driven rather than a loop of awaits: the next request goes out from
 * the completion that freed its slot, or from the one timer that waits for
 * its due time. At tens of thousands of short requests a second, a promise
 * and a closure per request and per wait cost a third of the request rate.
 */
export function runLoad(plan: LoadPlan, client: Http1Client, request: (index: number) => RequestSpec, hooks: LoadHooks = {}): Promise<LoadRun> {
  const { signal } = hooks;
  const gap = arrivalGaps(plan.requestRate, plan.burstiness, plan.seed);
  const limit = plan.maxConcurrency ?? Infinity;
  const scheduled = Number.isFinite(plan.requestRate);
  const outcomes: RequestOutcome[] = [];
  const startedAt = performance.now();
  const deadline = plan.durationMs === null ? Infinity : startedAt + plan.durationMs;
  let stoppedBy: StopReason = 'completed';
  let due = startedAt;
  let sent = 0;
  let inFlight = 0;
  let sending = true;
  let pumping = false;
  let queued = false;
  let timer: NodeJS.Timeout | undefined;

  return new Promise((resolve) => {
    const stopSending = (why: StopReason) => {
      sending = false;
      stoppedBy = why;
      clearTimeout(timer);
    };
    /** Sends all that is due and has a slot; ends the run when nothing is left to send or wait for. */
    const pump = () => {
      // A request that completes at once (its signal already aborted) calls back in here: the loop below goes on.
      if (pumping) return;
      pumping = true;
      while (sending) {
        if (signal?.aborted) stopSending('interrupted');
        else if (plan.numPrompts !== null && sent >= plan.numPrompts) stopSending('completed');
        else if (due >= deadline) stopSending('duration');
        else {
          const now = performance.now();
          if (now >= deadline) stopSending('duration');
          else if (due > now) {
            timer ??= setTimeout(() => ((timer = undefined), pump()), due - now);
            break;
          } else if (inFlight >= limit) break;
          else {
            const index = sent++;
            inFlight++;
            startRequest(client, request(index), scheduled ? due : now, signal, finished);
            hooks.onSent?.(index);
            due += gap();
          }
        }
      }
      pumping = false;
      if (!sending && inFlight === 0) {
        stopListening(signal, stopped);
        if (signal?.aborted) stoppedBy = 'interrupted';
        resolve({ outcomes, startedAt, endedAt: performance.now(), stoppedBy });
      }
    };
    // Completions come from inside the client's read of a response: the next send waits for a microtask, once for all that complete together.
    const pumpSoon = () => {
      if (queued) return;
      queued = true;
      queueMicrotask(() => ((queued = false), pump()));
    };
    const finished = (o: RequestOutcome) => {
      outcomes.push(o);
      inFlight--;
      hooks.onOutcome?.(o);
      pumpSoon();
    };
    const stopped = { onAbort: pumpSoon };
    listenForAbort(signal, stopped);
    pump();
  });
}
