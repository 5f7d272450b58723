import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { type AbortListener, listenForAbort, stopListening } from './abort.js';
import type { Exchange, Http1Client, ResponseHandler } from './http1-client.js';
import type { ResponseHead } from './http1-parser.js';
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
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE')
    return failure('connection_reset', `connection reset ${chunks ? `after ${chunks} chunks` : 'before any data'}`);
  if (e.code === 'ERR_BAD_HTTP_RESPONSE') return failure('bad_response', `not a valid HTTP response: ${e.message}`);
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
 * What every request to a URL with a key starts with, up to its
 * Content-Length's value: a run sends thousands to one, so it is built once.
 */
const requestHeads = new WeakMap<URL, Map<string | null, string>>();
function requestHead(spec: RequestSpec): string {
  let byKey = requestHeads.get(spec.url);
  if (!byKey) requestHeads.set(spec.url, (byKey = new Map()));
  let head = byKey.get(spec.apiKey);
  if (head === undefined) {
    const { url, apiKey } = spec;
    head =
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: gpumon\r\n` +
      'Content-Type: application/json\r\nAccept: text/event-stream, application/json\r\n' +
      (apiKey ? `Authorization: Bearer ${apiKey}\r\n` : '') +
      'Content-Length: ';
    byKey.set(apiKey, head);
  }
  return head;
}

const NO_GAPS: readonly number[] = Object.freeze([]);
/** A body we keep to read an error message or a JSON answer from; more than this is cut. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * One request in flight, as the client's response handler. At tens of
 * thousands of requests a second every allocation per request shows in the
 * request rate, so this makes few: no closures (the abort listener is the
 * request itself, the idle timer calls a static), no decoder unless the
 * answer is a stream, and the body as bytes.
 */
class StreamedRequest implements ResponseHandler, AbortListener {
  private readonly sentAt = performance.now();
  private readonly chunkTimes: number[] = [];
  private completionTokens: number | null = null;
  private promptTokens: number | null = null;
  private settled = false;
  /** When data last came: the idle timer, set once, checks this rather than being pushed back per chunk. */
  private lastDataAt = this.sentAt;
  private idle: NodeJS.Timeout | undefined;
  private exchange: Exchange | null = null;
  private status = 0;
  /** A stream's decoder and parser; null until the headers say it is one. */
  private decoder: StringDecoder | null = null;
  private sse: SseParser | null = null;
  /** Anything that is not a stream (an error, a plain JSON answer), read whole. */
  private bodyChunks: Buffer[] = [];
  private bodyBytes = 0;

  constructor(
    private readonly spec: RequestSpec,
    private readonly dueAt: number,
    private readonly signal: AbortSignal | undefined,
    private readonly done: (o: RequestOutcome) => void,
  ) {}

  start(client: Http1Client): void {
    if (this.signal?.aborted) return this.onAbort();
    listenForAbort(this.signal, this);
    this.idle = setTimeout(StreamedRequest.checkIdle, this.spec.idleTimeoutMs, this);
    const { body } = this.spec;
    this.exchange = client.send(`${requestHead(this.spec)}${Buffer.byteLength(body)}\r\n\r\n${body}`, this);
  }

  onAbort(): void {
    this.finish(failure('cancelled', 'stopped before it finished'), performance.now());
  }

  /** The idle timer: it fires once per idle timeout, and gives up only if nothing came for that long. */
  private static checkIdle(r: StreamedRequest): void {
    const now = performance.now();
    const quietFor = now - r.lastDataAt;
    const limit = r.spec.idleTimeoutMs;
    if (quietFor < limit) {
      r.idle = setTimeout(StreamedRequest.checkIdle, limit - quietFor, r);
      return;
    }
    const n = r.chunkTimes.length;
    r.finish(failure('idle_timeout', `no data for ${(limit / 1000).toFixed(1)} s ${n ? `after ${n} chunks` : 'before the first chunk'}`), now);
  }

  private finish(fail: RequestFailure | null, endAt: number): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.idle);
    stopListening(this.signal, this);
    const { chunkTimes, dueAt } = this;
    let itls = NO_GAPS;
    if (chunkTimes.length > 1) {
      const gaps: number[] = [];
      for (let i = 1; i < chunkTimes.length; i++) gaps.push(chunkTimes[i]! - chunkTimes[i - 1]!);
      itls = gaps;
    }
    this.done({
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
    // A finished stream leaves its connection to the next request; a failed one is closed.
    if (fail) this.exchange?.abort();
  }

  /** One event's data (or the whole JSON body); true when the request is over. */
  private take(data: string, at: number): boolean {
    const c = readChunk(data);
    if (c.kind === 'done') {
      this.finish(this.chunkTimes.length ? null : failure('empty', 'the stream ended without any generated text'), at);
      return true;
    }
    if (c.kind === 'error') {
      this.finish(failure('stream_error', c.message, this.status), at);
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

  /** The body read whole, decoded at once (so a character split across reads is whole). */
  private wholeBody(): string {
    const { bodyChunks } = this;
    return (bodyChunks.length === 1 ? bodyChunks[0]! : Buffer.concat(bodyChunks)).toString('utf8');
  }

  onHead(head: ResponseHead): void {
    this.status = head.status;
    this.lastDataAt = performance.now();
    if (this.ok() && /text\/event-stream/i.test(head.contentType)) {
      this.decoder = new StringDecoder('utf8');
      this.sse = new SseParser();
    }
  }

  onBody(chunk: Buffer): void {
    if (this.settled) return;
    const at = performance.now();
    this.lastDataAt = at;
    if (this.sse) {
      for (const data of this.sse.push(this.decoder!.write(chunk))) if (this.take(data, at)) break;
    } else if (this.bodyBytes < MAX_BODY_BYTES) {
      this.bodyChunks.push(chunk);
      this.bodyBytes += chunk.length;
    }
  }

  onComplete(): void {
    if (this.settled) return;
    const at = performance.now();
    const { status, sse } = this;
    if (!this.ok()) return this.finish(failure('http_status', `HTTP ${status}: ${bodyMessage(this.wholeBody())}`, status), at);
    if (!sse) {
      if (!this.take(this.wholeBody(), at)) this.finish(this.chunkTimes.length ? null : failure('empty', 'the response had no generated text', status), at);
      return;
    }
    for (const data of [...sse.push(this.decoder!.end()), ...sse.end()]) if (this.take(data, at)) return;
    // Closed without [DONE]: what came is kept; nothing at all is a failure.
    this.finish(this.chunkTimes.length ? null : failure('bad_response', 'the stream closed without [DONE] and without any text', status), at);
  }

  onError(e: Error): void {
    this.finish(networkFailure(e, this.chunkTimes.length), performance.now());
  }
}

/**
 * Sends one completion request and reads its stream (or a JSON answer, for a
 * server that does not stream); `done` gets the outcome, once. It never
 * throws: every way a request can go wrong is a RequestFailure in the
 * outcome. `signal` cancels it. A callback, not a promise: the load loop
 * runs on these completions, and a promise each costs at this rate.
 */
export function startRequest(client: Http1Client, spec: RequestSpec, dueAt: number, signal: AbortSignal | undefined, done: (o: RequestOutcome) => void): void {
  new StreamedRequest(spec, dueAt, signal, done).start(client);
}
