/**
 * Waiting for an event or a state, never for a length of time.
 *
 * A test says what it waits for; `waitFor` checks it at once and then every
 * few milliseconds until it holds. The deadline is there only so that a test
 * whose awaited thing never comes fails with a message (what it waited for,
 * and what there was instead) rather than at vitest's timeout: a passing test
 * never gets near it, however slow the machine.
 */
export const DEADLINE_MS = 10_000;

export interface WaitOptions {
  /** How long to wait before giving up (the test is failing by then). */
  readonly deadlineMs?: number;
  /** What there was instead, for the failure message (the last frame, the output so far). */
  readonly got?: () => string;
}

/** Resolves with `check()`'s first truthy result; rejects after the deadline, naming `what`. */
export async function waitFor<T>(check: () => T | null | undefined | false | 0 | '', what: string, o: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (o.deadlineMs ?? DEADLINE_MS);
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) {
      const got = o.got ? `; instead:\n${o.got()}` : '';
      throw new Error(`waited ${((o.deadlineMs ?? DEADLINE_MS) / 1000).toFixed(0)} s for ${what}, in vain${got}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `promise`, or a rejection naming `what` if it has not settled by the deadline (a hang fails with a message, not at vitest's timeout). */
export function settles<T>(promise: Promise<T>, what: string, o: WaitOptions = {}): Promise<T> {
  const ms = o.deadlineMs ?? DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${(ms / 1000).toFixed(0)} s for ${what}, in vain${o.got ? `; instead:\n${o.got()}` : ''}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
