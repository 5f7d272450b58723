import type { RequestOutcome } from '../../src/bench/request.js';

/** A request due at `due` with chunks at the given times (ms), ended at `end`. */
export function outcome(due: number, chunks: number[], end: number, tokens = chunks.length, fail = false): RequestOutcome {
  return {
    dueAt: due,
    sentAt: due,
    endAt: end,
    ttftMs: chunks.length ? chunks[0]! - due : null,
    e2elMs: end - due,
    itlsMs: chunks.slice(1).map((t, i) => t - chunks[i]!),
    chunkTimes: chunks,
    outputTokens: tokens,
    outputTokensEstimated: false,
    inputTokens: 100,
    inputTokensEstimated: false,
    failure: fail ? { kind: 'http_status', message: 'HTTP 500: x', status: 500 } : null,
  };
}
