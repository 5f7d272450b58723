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
 * One request in flight, as undici's handler: its methods are undici's
 * callbacks. A class, not closures: a run makes tens of thousands of these a
 * second, and a set of closures per request showed up in the profile.
 */
class StreamedRequest implements Dispatcher.DispatchHandlers {
  private readonly sentAt = performance.now();
  private readonly chunkTimes: number[] = [];
  private completionTokens: number | null = null;
  private promptTokens: number | null = null;
  private settled = false;
  private idle: NodeJS.Timeout | undefined;
  private abort: ((e?: Error) => void) | null = null;
  private stopWaiting: () => void = () => {};
  private status = 0;
  private body = '';
  private readonly decoder = new StringDecoder('utf8');
  private sse: SseParser | null = null;

  constructor(
    private readonly spec: RequestSpec,
    private readonly dueAt: number,
    private readonly resolve: (o: RequestOutcome) => void,
  ) {}

  start(pool: Dispatcher, signal: AbortSignal | undefined): void {
    if (signal?.aborted) return this.cancel();
    this.stopWaiting = whenAborted(signal, this.cancel);
    this.armIdle();
    pool.dispatch({ ...target(this.spec), method: 'POST', body: this.spec.body }, this);
  }

  private readonly cancel = (): void => this.finish(failure('cancelled', 'stopped before it finished'));

  private readonly timedOut = (): void => {
    const n = this.chunkTimes.length;
    this.finish(failure('idle_timeout', `no data for ${(this.spec.idleTimeoutMs / 1000).toFixed(1)} s ${n ? `after ${n} chunks` : 'before the first chunk'}`));
  };

  /** One timer per request, pushed back on each read: refresh() costs a fraction of a new setTimeout, and a stream reads thousands of chunks. */
  private armIdle(): void {
    if (this.idle) this.idle.refresh();
    else this.idle = setTimeout(this.timedOut, this.spec.idleTimeoutMs);
  }

  private finish(fail: RequestFailure | null): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.idle);
    this.stopWaiting();
    const endAt = performance.now();
    const { chunkTimes, dueAt } = this;
    const itls: number[] = [];
    for (let i = 1; i < chunkTimes.length; i++) itls.push(chunkTimes[i]! - chunkTimes[i - 1]!);
    this.resolve({
      dueAt,
      sentAt: this.sentAt,
      endAt,
      ttftMs: chunkTimes.length ? chunkTimes[0]! - dueAt : null,
      e2elMs: endAt - dueAt,
      itlsMs: itls,
      chunkTimes,
      outputTokens: this.completionTokens ?? chunkTimes.length,
      outputTokensEstimated: this.completionTokens === null,
      inputTokens: this.promptTokens ?? this.spec.promptTokensEstimate,
      inputTokensEstimated: this.promptTokens === null,
      failure: fail,
    });
    // A finished stream leaves its socket to the keep-alive pool; a failed one is closed.
    if (fail) this.abort?.();
  }

  /** One event's data (or the whole JSON body); true when the request is over. */
  private take(data: string, at: number): boolean {
    const c = readChunk(data);
    if (c.kind === 'done') {
      this.finish(this.chunkTimes.length ? null : failure('empty', 'the stream ended without any generated text'));
      return true;
    }
    if (c.kind === 'error') {
      this.finish(failure('stream_error', c.message, this.status));
      return true;
    }
    if (c.text) this.chunkTimes.push(at);
    this.completionTokens = c.completionTokens ?? this.completionTokens;
    this.promptTokens = c.promptTokens ?? this.promptTokens;
    return false;
  }

  private ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  onConnect(abort: (e?: Error) => void): void {
    this.abort = abort;
    if (this.settled) abort();
  }

  onHeaders(code: number, raw: Buffer[]): boolean {
    if (code < 200) return true; // 1xx: the real answer follows
    this.status = code;
    // A stream gets an SSE parser; anything else (an error, a plain JSON answer) is read whole.
    if (/text\/event-stream/i.test(contentType(raw))) this.sse = new SseParser();
    this.armIdle();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return true;
    const at = performance.now();
    this.armIdle();
    const text = this.decoder.write(chunk);
    if (!this.ok() || !this.sse) {
      if (this.body.length < 1 << 20) this.body += text;
    } else for (const data of this.sse.push(text)) if (this.take(data, at)) break;
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    const at = performance.now();
    const rest = this.decoder.end();
    const { status } = this;
    if (!this.ok()) return this.finish(failure('http_status', `HTTP ${status}: ${bodyMessage(this.body + rest)}`, status));
    if (!this.sse) {
      if (!this.take(this.body + rest, at)) this.finish(this.chunkTimes.length ? null : failure('empty', 'the response had no generated text', status));
      return;
    }
    for (const data of [...this.sse.push(rest), ...this.sse.end()]) if (this.take(data, at)) return;
    // Closed without [DONE]: what came is kept; nothing at all is a failure.
    this.finish(this.chunkTimes.length ? null : failure('bad_response', 'the stream closed without [DONE] and without any text', status));
  }

  onError(e: Error): void {
    this.finish(networkFailure(e, this.chunkTimes.length));
  }
}

/**
 * Sends one completion request and reads its stream (or a JSON answer, for a
 * server that does not stream). Never rejects: every way it can go wrong is a
 * RequestFailure in the outcome.
 */
export function sendRequest(pool: Dispatcher, spec: RequestSpec, dueAt: number, signal?: AbortSignal): Promise<RequestOutcome> {
  return new Promise((resolve) => new StreamedRequest(spec, dueAt, resolve).start(pool, signal));
}
