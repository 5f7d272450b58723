import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { Agent, type Dispatcher } from 'undici';
import { whenAborted } from './abort.js';
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

function networkFailure(e: Error & { code?: string }, chunks: number): RequestFailure {
  if (e.code === 'ECONNREFUSED') return failure('connection_refused', `connection refused (${e.message.replace(/^connect ECONNREFUSED /, '')})`);
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'UND_ERR_SOCKET')
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
 * The connection pool every request of a run goes through: undici's, with
 * keep-alive, at most `connections` sockets per server, and no timeouts of
 * its own (sendRequest keeps the idle timeout, to name it in the failure).
 * undici, not node:http or fetch: it measured fastest (README, `npm run bench`).
 */
export function requestPool(connections: number | null): Agent {
  return new Agent({ connections, headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000 });
}

function contentType(raw: readonly Buffer[]): string {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toString('latin1').toLowerCase() === 'content-type') return raw[i + 1]!.toString('latin1');
  return '';
}

/** Where a spec's requests go, worked out once per URL and key: a run sends thousands to one. */
const targets = new WeakMap<URL, Map<string | null, { origin: string; path: string; headers: Record<string, string> }>>();
function target(spec: RequestSpec): { origin: string; path: string; headers: Record<string, string> } {
  let byKey = targets.get(spec.url);
  if (!byKey) targets.set(spec.url, (byKey = new Map()));
  let t = byKey.get(spec.apiKey);
  if (!t) {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream, application/json' };
    if (spec.apiKey) headers.authorization = `Bearer ${spec.apiKey}`;
    byKey.set(spec.apiKey, (t = { origin: spec.url.origin, path: spec.url.pathname + spec.url.search, headers }));
  }
  return t;
}

/**
 * Sends one completion request and reads its stream (or a JSON answer, for a
 * server that does not stream). Never rejects: every way it can go wrong is a
 * RequestFailure in the outcome.
 */
export function sendRequest(pool: Dispatcher, spec: RequestSpec, dueAt: number, signal?: AbortSignal): Promise<RequestOutcome> {
  return new Promise((resolve) => {
    const sentAt = performance.now();
    const chunkTimes: number[] = [];
    let completionTokens: number | null = null;
    let promptTokens: number | null = null;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    let abort: ((e?: Error) => void) | null = null;
    let stopWaiting = () => {};
    let status = 0;
    let streaming = false;
    let body = '';
    const decoder = new StringDecoder('utf8');
    const sse = new SseParser();

    const finish = (fail: RequestFailure | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      stopWaiting();
      const endAt = performance.now();
      const itls: number[] = [];
      for (let i = 1; i < chunkTimes.length; i++) itls.push(chunkTimes[i]! - chunkTimes[i - 1]!);
      resolve({
        dueAt,
        sentAt,
        endAt,
        ttftMs: chunkTimes.length ? chunkTimes[0]! - dueAt : null,
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
      if (fail) abort?.();
    };
    // One timer per request, pushed back on each read: refresh() costs a fraction of a new setTimeout, and a stream reads thousands of chunks.
    const armIdle = () => {
      if (idle) idle.refresh();
      else
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
        finish(failure('stream_error', c.message, status));
        return true;
      }
      if (c.text) chunkTimes.push(at);
      completionTokens = c.completionTokens ?? completionTokens;
      promptTokens = c.promptTokens ?? promptTokens;
      return false;
    };
    const ok = () => status >= 200 && status <= 299;

    if (signal?.aborted) return onAbort();
    stopWaiting = whenAborted(signal, onAbort);
    armIdle();
    pool.dispatch(
      { ...target(spec), method: 'POST', body: spec.body },
      {
        onConnect: (a) => {
          abort = a;
          if (settled) a();
        },
        onHeaders: (code, raw) => {
          if (code < 200) return true; // 1xx: the real answer follows
          status = code;
          streaming = /text\/event-stream/i.test(contentType(raw));
          armIdle();
          return true;
        },
        onData: (chunk) => {
          if (settled) return true;
          const at = performance.now();
          armIdle();
          const text = decoder.write(chunk);
          if (!ok() || !streaming) {
            if (body.length < 1 << 20) body += text;
          } else for (const data of sse.push(text)) if (take(data, at)) break;
          return true;
        },
        onComplete: () => {
          if (settled) return;
          const at = performance.now();
          const rest = decoder.end();
          if (!ok()) return finish(failure('http_status', `HTTP ${status}: ${bodyMessage(body + rest)}`, status));
          if (!streaming) {
            if (!take(body + rest, at)) finish(chunkTimes.length ? null : failure('empty', 'the response had no generated text', status));
            return;
          }
          for (const data of [...sse.push(rest), ...sse.end()]) if (take(data, at)) return;
          // Closed without [DONE]: what came is kept; nothing at all is a failure.
          finish(chunkTimes.length ? null : failure('bad_response', 'the stream closed without [DONE] and without any text', status));
        },
        onError: (e) => finish(networkFailure(e, chunkTimes.length)),
      },
    );
  });
}
