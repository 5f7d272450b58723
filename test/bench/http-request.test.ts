import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { tpotMs } from '../../src/bench/http-metrics.js';
import { runLoad } from '../../src/bench/load.js';
import { Exchange, Http1Client, type ResponseHandler } from '../../src/bench/http1-client.js';
import { type RequestOutcome, type RequestSpec, startRequest } from '../../src/bench/request.js';
import { DONE, event, type Reply, startOpenAiServer, type TestServer, textChunk, tokenStream, usageChunk } from '../helpers/openai-server.js';
import { settles, waitFor } from '../helpers/wait.js';

let server: TestServer | null = null;
/** One client per server, as a run has; closed after each test. */
const clients = new Map<string, Http1Client>();
const clientFor = (url: string) => {
  let c = clients.get(url);
  if (!c) clients.set(url, (c = new Http1Client(new URL(url), null)));
  return c;
};
afterEach(async () => {
  for (const c of clients.values()) c.close();
  clients.clear();
  await server?.close();
  server = null;
});

const spec = (url: string, idleTimeoutMs = 5000): RequestSpec => ({
  url: new URL('/v1/completions', url),
  body: JSON.stringify({ model: 'm', prompt: 'hi', stream: true }),
  apiKey: 'sk-test',
  idleTimeoutMs,
  promptTokensEstimate: 3,
});

const sendRequest = (url: string, idleTimeoutMs?: number) =>
  new Promise<RequestOutcome>((resolve) => startRequest(clientFor(url), spec(url, idleTimeoutMs), performance.now(), undefined, resolve));

/** One request against a server answering with `reply`. */
async function one(reply: Reply, idleTimeoutMs?: number): Promise<RequestOutcome> {
  server = await startOpenAiServer(() => reply);
  return sendRequest(server.url, idleTimeoutMs);
}

/**
 * A client whose one answer the test hands to the request itself, noting the
 * time just before and just after each part: what the request measures must
 * lie between, whatever the machine's speed.
 */
function byHand() {
  let handler: ResponseHandler | null = null;
  const client = { send: (request: string, h: ResponseHandler) => ((handler = h), new Exchange(request, h)) } as unknown as Http1Client;
  const hand = (part: (h: ResponseHandler) => void) => {
    const before = performance.now();
    part(handler!);
    return { before, after: performance.now() };
  };
  return { client, hand };
}

/** Some time passes between the parts; how much does not matter, the bounds are measured. */
const nextTurn = () => new Promise((r) => setTimeout(r, 1));

describe('timing', () => {
  it('times each token when its bytes are read: TTFT from when the request was due, ITL between tokens, E2EL to [DONE]', async () => {
    const { client, hand } = byHand();
    let outcome: RequestOutcome | null = null;
    const dueAt = performance.now() - 50; // due a while ago: it waited for a slot
    startRequest(client, spec('http://127.0.0.1:9'), dueAt, undefined, (o) => (outcome = o));
    hand((h) => h.onHead({ status: 200, contentType: 'text/event-stream', close: false, keepAliveMs: null }));
    await nextTurn();
    // A ping and a role-only chunk are no tokens.
    hand((h) => h.onBody(Buffer.from(`: ping\n\n${event({ choices: [{ index: 0, delta: { role: 'assistant' } }] })}`)));
    const tokens: { before: number; after: number }[] = [];
    for (let i = 0; i < 5; i++) {
      await nextTurn();
      tokens.push(hand((h) => h.onBody(Buffer.from(textChunk(` t${i}`)))));
    }
    await nextTurn();
    expect(outcome).toBeNull();
    const end = hand((h) => h.onBody(Buffer.from(`${usageChunk(3, 5)}${DONE}`)));
    const o = outcome! as RequestOutcome;
    expect(o.failure).toBeNull();
    expect(o.dueAt).toBe(dueAt);
    expect(o.chunkTimes).toHaveLength(5);
    o.chunkTimes.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(tokens[i]!.before);
      expect(t).toBeLessThanOrEqual(tokens[i]!.after);
    });
    expect(o.ttftMs).toBe(o.chunkTimes[0]! - dueAt);
    expect(o.ttftMs!).toBeGreaterThanOrEqual(tokens[0]!.before - dueAt);
    expect(o.itlsMs).toEqual(o.chunkTimes.slice(1).map((t, i) => t - o.chunkTimes[i]!));
    expect(o.endAt).toBeGreaterThanOrEqual(end.before);
    expect(o.endAt).toBeLessThanOrEqual(end.after);
    expect(o.e2elMs).toBe(o.endAt - dueAt);
    expect(o.outputTokens).toBe(5);
    expect(tpotMs(o)!).toBeCloseTo((o.e2elMs - o.ttftMs!) / 4, 9);
  });

  it('against a server with known delays: every token counted, none timed before the server wrote it', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 80, itlMs: 20, tokens: 12 }) }));
    const plan = { numPrompts: 4, durationMs: null, requestRate: Infinity, burstiness: 1, maxConcurrency: 2, seed: 0 };
    // A warm-up first (as --num-warmups): the first requests of a process pay for JIT and connecting.
    await runLoad(plan, clientFor(server!.url), () => spec(server!.url));
    const run = await runLoad(plan, clientFor(server!.url), () => spec(server!.url));
    expect(run.outcomes).toHaveLength(4);
    // The server's writes of each answer of this run: 12 tokens, usage, [DONE].
    const answers = server.requests.slice(4).map((r) => r.writtenAt);
    expect(answers.map((w) => w.length)).toEqual([14, 14, 14, 14]);
    for (const o of run.outcomes) {
      expect(o.failure).toBeNull();
      expect(o.chunkTimes).toHaveLength(12);
      expect(o.itlsMs).toHaveLength(11);
      expect(o.outputTokens).toBe(12);
      expect(o.outputTokensEstimated).toBe(false);
      expect(o.inputTokens).toBe(10);
      // Timers never fire early: no first token can come before the server's delay, no end before 80 + 11 x 20 ms.
      expect(o.ttftMs!).toBeGreaterThanOrEqual(79);
      expect(o.e2elMs).toBeGreaterThanOrEqual(299);
      // It is one of the answers: each token timed at or after the server wrote it, the end at or after [DONE].
      const mine = answers.filter((w) => o.chunkTimes.every((t, i) => t >= w[i]!) && o.endAt >= w[13]!);
      expect(mine.length).toBeGreaterThan(0);
    }
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-test');
  });

  it('counts latency from when a request was due, so waiting for a slot in the client shows', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 100, itlMs: 10, tokens: 2 }) }));
    // 4 requests due at once (a rate of 1000/s) through one slot: each waits for the ones before it.
    const plan = { numPrompts: 4, durationMs: null, requestRate: 1000, burstiness: 1000, maxConcurrency: 1, seed: 0 };
    const run = await runLoad(plan, clientFor(server!.url), () => spec(server!.url));
    const ttfts = run.outcomes.map((o) => o.ttftMs!);
    expect(ttfts[3]!).toBeGreaterThan(3 * 110);
    expect(run.outcomes[3]!.sentAt - run.outcomes[3]!.dueAt).toBeGreaterThan(300);
  });
});

describe('robustness: each odd stream on its own', () => {
  it('reads events split across reads, even mid-line and mid-CRLF', async () => {
    const whole = `data: {"choices":[{"text":"ab"}]}\r\n\r\ndata: {"choices":[{"text":"cd"}]}\r\n\r\n${DONE}`;
    const steps = [...whole].flatMap((ch, i) => (i % 7 === 3 ? [{ write: ch }, { wait: 2 }] : [{ write: ch }]));
    const o = await one({ steps });
    expect(o.failure).toBeNull();
    expect(o.chunkTimes).toHaveLength(2);
    expect(o.outputTokens).toBe(2);
    expect(o.outputTokensEstimated).toBe(true);
  });

  it('takes data: without a space', async () => {
    const o = await one({ steps: [{ write: 'data:{"choices":[{"text":"x"}]}\n\n' }, { write: 'data:[DONE]\n\n' }] });
    expect(o.failure).toBeNull();
    expect(o.chunkTimes).toHaveLength(1);
  });

  it('skips comments and pings', async () => {
    const o = await one({ steps: [{ write: ': ping\n\n' }, { wait: 30 }, { write: ':\n' }, { write: 'event: message\nid: 1\n' }, { write: textChunk('x') }, { write: DONE }] });
    expect(o.failure).toBeNull();
    expect(o.chunkTimes).toHaveLength(1);
    // The ping came first, but the first token is the first chunk with text.
    expect(o.ttftMs!).toBeGreaterThanOrEqual(29);
  });

  it('times the first token from the first chunk with content, not the role-only chunk', async () => {
    const role = event({ choices: [{ index: 0, delta: { role: 'assistant' } }] });
    const content = (t: string) => event({ choices: [{ index: 0, delta: { content: t } }] });
    const o = await one({ steps: [{ write: role }, { wait: 60 }, { write: content('Hello') }, { wait: 20 }, { write: content(' there') }, { write: DONE }] });
    expect(o.failure).toBeNull();
    expect(o.ttftMs!).toBeGreaterThanOrEqual(59);
    expect(o.itlsMs).toHaveLength(1);
  });

  it('takes several tokens in one chunk from usage, with one gap per chunk', async () => {
    const o = await one({ steps: [{ write: textChunk('one two three') }, { wait: 20 }, { write: textChunk(' four five six') }, { write: usageChunk(7, 6) }, { write: DONE }] });
    expect(o.failure).toBeNull();
    expect(o.outputTokens).toBe(6);
    expect(o.outputTokensEstimated).toBe(false);
    expect(o.inputTokens).toBe(7);
    expect(o.itlsMs).toHaveLength(1);
    // TPOT spreads the time after the first chunk over the 5 tokens after the first.
    expect(tpotMs(o)!).toBeCloseTo((o.e2elMs - o.ttftMs!) / 5, 6);
  });

  it('counts the chunks with text when the server sends no usage, and says so', async () => {
    const o = await one({ steps: tokenStream({ ttftMs: 1, itlMs: 1, tokens: 5, usage: false }) });
    expect(o.outputTokens).toBe(5);
    expect(o.outputTokensEstimated).toBe(true);
    expect(o.inputTokens).toBe(3);
    expect(o.inputTokensEstimated).toBe(true);
  });

  it('fails a request whose stream says error after HTTP 200', async () => {
    // The stream goes on (open, silent) after the error: the request ends at the error, not at the end.
    const o = await settles(one({ steps: [{ write: textChunk('x') }, { write: event({ error: { message: 'CUDA out of memory', code: 500 } }) }, { hang: true }] }), 'the outcome');
    expect(o.failure).toEqual({ kind: 'stream_error', message: 'CUDA out of memory', status: 200 });
    expect(o.endAt).toBeGreaterThanOrEqual(server!.requests[0]!.writtenAt[1]!);
  });

  it("fails an empty success (DONE without text) instead of counting it", async () => {
    const o = await one({ steps: [{ write: DONE }] });
    expect(o.failure?.kind).toBe('empty');
  });

  it('ends a stream that stalls without [DONE] at the idle timeout', async () => {
    // The stream stays open and silent after one chunk: only the idle timeout can end the request.
    const o = await settles(one({ steps: [{ write: textChunk('x') }, { hang: true }] }, 150), 'the outcome');
    expect(o.failure?.kind).toBe('idle_timeout');
    expect(o.failure?.message).toBe('no data for 0.1 s after 1 chunks');
    // Not before 150 ms without data.
    expect(o.endAt - o.chunkTimes[0]!).toBeGreaterThanOrEqual(149);
  });

  it('keeps the status and message of a non-2xx answer', async () => {
    const o = await one({ status: 400, contentType: 'application/json', steps: [{ write: JSON.stringify({ object: 'error', message: "max_tokens must be at least 1", type: 'BadRequestError', code: 400 }) }] });
    expect(o.failure).toEqual({ kind: 'http_status', message: 'HTTP 400: max_tokens must be at least 1', status: 400 });
    const o2 = await one({ status: 503, contentType: 'text/plain', steps: [{ write: 'overloaded' }] });
    expect(o2.failure).toEqual({ kind: 'http_status', message: 'HTTP 503: overloaded', status: 503 });
  });

  it('counts a refused connection', async () => {
    server = await startOpenAiServer(() => ({ steps: [] }));
    const url = server.url;
    await server.close();
    server = null;
    const o = await sendRequest(url);
    expect(o.failure?.kind).toBe('connection_refused');
    expect(o.failure?.message).toMatch(/^connection refused \(127\.0\.0\.1:\d+\)$/);
  });

  it('counts a connection reset mid-stream, keeping when it happened', async () => {
    const o = await one({ steps: [{ write: textChunk('a') }, { wait: 10 }, { write: textChunk('b') }, { wait: 10 }, { destroy: true }] });
    expect(o.failure?.kind).toBe('connection_reset');
    expect(o.failure?.message).toBe('connection reset after 2 chunks');
  });

  it('reads a JSON answer from a server that does not stream', async () => {
    const body = JSON.stringify({ choices: [{ index: 0, text: 'hello world' }], usage: { prompt_tokens: 4, completion_tokens: 2 } });
    const o = await one({ contentType: 'application/json', steps: [{ wait: 30 }, { write: body }] });
    expect(o.failure).toBeNull();
    expect(o.outputTokens).toBe(2);
    expect(o.ttftMs!).toBeGreaterThanOrEqual(29);
  });

  it('cancels what is in flight when stopped, keeping it as cancelled', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 10, itlMs: 50, tokens: 100 }) }));
    const stop = new AbortController();
    const plan = { numPrompts: 100, durationMs: null, requestRate: Infinity, burstiness: 1, maxConcurrency: 3, seed: 0 };
    const running = runLoad(plan, clientFor(server!.url), () => spec(server!.url), { signal: stop.signal });
    // Stopped once three are in flight: the server has them and has answered the first token of each.
    await waitFor(() => server!.requests.length === 3 && server!.requests.every((r) => r.writtenAt.length > 0), 'three requests in flight');
    stop.abort();
    const run = await running;
    expect(run.stoppedBy).toBe('interrupted');
    expect(run.outcomes).toHaveLength(3);
    expect(run.outcomes.every((o) => o.failure?.kind === 'cancelled')).toBe(true);
  });

  it('stops sending at --duration', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 1, itlMs: 1, tokens: 2 }) }));
    const plan = { numPrompts: null, durationMs: 300, requestRate: 20, burstiness: 1, maxConcurrency: null, seed: 0 };
    const run = await runLoad(plan, clientFor(server!.url), () => spec(server!.url));
    expect(run.stoppedBy).toBe('duration');
    // 20/s for 0.3 s: about 6 (Poisson), the first at once.
    expect(run.outcomes.length).toBeGreaterThanOrEqual(1);
    expect(run.outcomes.length).toBeLessThan(20);
    expect(Math.max(...run.outcomes.map((o) => o.dueAt - run.startedAt))).toBeLessThan(300);
  });
});
