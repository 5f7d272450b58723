import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { readChunk } from './openai-chunk.js';
import { SseParser } from './sse.js';

/** Why a request failed, as the summary groups them. */
export type FailureKind =
  | 'http_status'
  | 'stream_error'
  | 'connection_refused'
  | 'connection_reset'
  | 'idle_timeout'
  | 'bad_response'
  | 'empty'
  | 'network'
  | 'cancelled';

export interface RequestFailure {
  readonly kind: FailureKind;
  readonly message: string;
  /** The HTTP status, when the server answered. */
  readonly status: number | null;
}

/**
 * One request, measured. Times are ms on performance.now()'s clock and count
 * from when the request was due, not when it went out, so time it waited in
 * the client (for a free slot, or behind a busy event loop) is not hidden.
 */
export interface RequestOutcome {
  readonly dueAt: number;
  readonly sentAt: number;
  readonly endAt: number;
  readonly ttftMs: number | null;
  readonly e2elMs: number;
  /** Gaps between chunks that carried text. */
  readonly itlsMs: readonly number[];
  /** When each chunk with text arrived (performance.now()). */
  readonly chunkTimes: readonly number[];
  readonly outputTokens: number;
  /** No `usage` came back: the output tokens are the chunks with text. */
  readonly outputTokensEstimated: boolean;
  readonly inputTokens: number;
  readonly inputTokensEstimated: boolean;
  readonly failure: RequestFailure | null;
}

export interface RequestSpec {
  readonly url: URL;
  readonly body: string;
  readonly apiKey: string | null;
  /** A stream that sends nothing for this long is given up (ms). */
  readonly idleTimeoutMs: number;
  /** Our own count of the prompt's tokens, for when the server sends no usage. */
  readonly promptTokensEstimate: number;
}

const failure = (kind: FailureKind, message: string, status: number | null = null): RequestFailure => ({ kind, message, status });

function networkFailure(e: NodeJS.ErrnoException, chunks: number): RequestFailure {
  if (e.code === 'ECONNREFUSED') return failure('connection_refused', `connection refused (${e.message.replace(/^connect ECONNREFUSED /, '')})`);
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.message === 'socket hang up' || e.message === 'aborted')
    return failure('connection_reset', `connection reset ${chunks ? `after ${chunks} chunks` : 'before any data'}`);
  return failure('network', e.code ? `${e.code}: ${e.message}` : e.message);
}

/** The message of an error body: OpenAI's {"error": {"message"}}, vLLM's {"message"}, or the text. */
function bodyMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: string } | string; message?: string; detail?: string };
    const m = typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message ?? json.detail);
    if (typeof m === 'string') return m;
  } catch {
    // not JSON: the text itself
  }
  return body.trim().slice(0, 200) || '(empty body)';
}

/**
 * Sends one completion request and reads its stream (or a JSON answer, for a
 * server that does not stream). Never rejects: every way it can go wrong is a
 * RequestFailure in the outcome.
 */
export function sendRequest(agent: http.Agent, spec: RequestSpec, dueAt: number, signal?: AbortSignal): Promise<RequestOutcome> {
  return new Promise((resolve) => {
    const sentAt = performance.now();
    const chunkTimes: number[] = [];
    let completionTokens: number | null = null;
    let promptTokens: number | null = null;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;

    const finish = (fail: RequestFailure | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      signal?.removeEventListener('abort', onAbort);
      const endAt = performance.now();
      const ttft = chunkTimes.length ? chunkTimes[0]! - dueAt : null;
      const itls: number[] = [];
      for (let i = 1; i < chunkTimes.length; i++) itls.push(chunkTimes[i]! - chunkTimes[i - 1]!);
      resolve({
        dueAt,
        sentAt,
        endAt,
        ttftMs: ttft,
        e2elMs: endAt - dueAt,
        itlsMs: itls,
        chunkTimes,
        outputTokens: completionTokens ?? chunkTimes.length,
        outputTokensEstimated: completionTokens === null,
        inputTokens: promptTokens ?? spec.promptTokensEstimate,
        inputTokensEstimated: promptTokens === null,
        failure: fail,
      });
      // A finished stream leaves its socket to the keep-alive pool; a failed one is closed.
      if (fail && !req.destroyed) req.destroy();
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => finish(failure('idle_timeout', `no data for ${(spec.idleTimeoutMs / 1000).toFixed(1)} s ${chunkTimes.length ? `after ${chunkTimes.length} chunks` : 'before the first chunk'}`)),
        spec.idleTimeoutMs,
      );
    };
    const onAbort = () => finish(failure('cancelled', 'stopped before it finished'));

    /** One event's data (or the whole JSON body); true when the request is over. */
    const take = (data: string, at: number): boolean => {
      const c = readChunk(data);
      if (c.kind === 'done') {
        finish(chunkTimes.length ? null : failure('empty', 'the stream ended without any generated text'));
        return true;
      }
      if (c.kind === 'error') {
        finish(failure('stream_error', c.message, 200));
        return true;
      }
      if (c.text) chunkTimes.push(at);
      completionTokens = c.completionTokens ?? completionTokens;
      promptTokens = c.promptTokens ?? promptTokens;
      return false;
    };

    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body), accept: 'text/event-stream, application/json' };
    if (spec.apiKey) headers.authorization = `Bearer ${spec.apiKey}`;
    const req = (spec.url.protocol === 'https:' ? https : http).request(spec.url, { method: 'POST', agent, headers });
    req.on('error', (e: NodeJS.ErrnoException) => finish(networkFailure(e, chunkTimes.length)));
    req.on('response', (res) => {
      armIdle();
      res.setEncoding('utf8');
      const status = res.statusCode ?? 0;
      const streaming = /text\/event-stream/i.test(res.headers['content-type'] ?? '');
      if (status < 200 || status > 299 || !streaming) {
        let body = '';
        res.on('data', (t: string) => {
          armIdle();
          if (body.length < 1 << 20) body += t;
        });
        res.on('end', () => {
          if (status < 200 || status > 299) finish(failure('http_status', `HTTP ${status}: ${bodyMessage(body)}`, status));
          else if (!take(body, performance.now())) finish(chunkTimes.length ? null : failure('empty', 'the response had no generated text', status));
        });
      } else {
        const sse = new SseParser();
        res.on('data', (t: string) => {
          if (settled) return;
          const at = performance.now();
          armIdle();
          for (const data of sse.push(t)) if (take(data, at)) return;
        });
        res.on('end', () => {
          if (settled) return;
          const at = performance.now();
          for (const data of sse.end()) if (take(data, at)) return;
          // Closed without [DONE]: what came is kept; nothing at all is a failure.
          finish(chunkTimes.length ? null : failure('bad_response', 'the stream closed without [DONE] and without any text', status));
        });
      }
      res.on('error', (e: NodeJS.ErrnoException) => finish(networkFailure(e, chunkTimes.length)));
      res.on('aborted', () => finish(failure('connection_reset', `connection reset after ${chunkTimes.length} chunks`)));
    });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    armIdle();
    req.end(spec.body);
  });
}
