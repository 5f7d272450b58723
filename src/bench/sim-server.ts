import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './arrivals.js';

/**
 * `gpumon bench http --demo`: a simulated OpenAI-compatible server, in
 * process on an ephemeral 127.0.0.1 port. It streams like a busy vLLM: a
 * time to first token that grows with the prompt and with the requests
 * already running, tokens whose spacing grows with the batch, usage at the
 * end, and vLLM's gauges and counters at /metrics. Nothing leaves loopback.
 */
export interface SimServerOptions {
  readonly model?: string;
  /** Time to first token with nothing else running (ms). */
  readonly ttftMs?: number;
  /** Extra TTFT per prompt token (prefill, ms). */
  readonly prefillMsPerToken?: number;
  /** Gap between tokens with a batch of one (ms). */
  readonly itlMs?: number;
  /** Requests run at once; more wait (and count as waiting). */
  readonly maxRunning?: number;
  /** ± fraction of random spread on each delay. */
  readonly jitter?: number;
  readonly seed?: number;
}

export interface SimServer {
  readonly baseUrl: string;
  readonly model: string;
  close(): Promise<void>;
}

interface Job {
  readonly promptTokens: number;
  readonly outputTokens: number;
}

export async function startSimServer(o: SimServerOptions = {}): Promise<SimServer> {
  const model = o.model ?? 'sim/llama-3.1-8b-instruct';
  const ttftMs = o.ttftMs ?? 60;
  const prefill = o.prefillMsPerToken ?? 0.05;
  const itlMs = o.itlMs ?? 15;
  const maxRunning = o.maxRunning ?? 64;
  const jitter = o.jitter ?? 0.15;
  const random = seededRandom(o.seed ?? 1);
  const spread = (ms: number) => ms * (1 + jitter * (2 * random() - 1));
  let running = 0;
  const waiting: (() => void)[] = [];
  const counters = { prefixHits: 0, prefixQueries: 0, promptTokens: 0, generationTokens: 0 };

  const slot = () => (running < maxRunning ? (running++, Promise.resolve()) : new Promise<void>((r) => waiting.push(() => (running++, r()))));
  const release = () => {
    running--;
    waiting.shift()?.();
  };

  const stream = async (res: http.ServerResponse, chat: boolean, job: Job, includeUsage: boolean) => {
    await slot();
    let open = true;
    res.on('close', () => (open = false));
    const chunk = (text: string) => {
      const choice = chat ? { index: 0, delta: { content: text }, finish_reason: null } : { index: 0, text, finish_reason: null };
      res.write(`data: ${JSON.stringify({ id: 'sim', object: chat ? 'chat.completion.chunk' : 'text_completion', model, choices: [choice] })}\n\n`);
    };
    try {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (chat) res.write(`data: ${JSON.stringify({ id: 'sim', model, choices: [{ index: 0, delta: { role: 'assistant' } }] })}\n\n`);
      await sleep(spread(ttftMs + prefill * job.promptTokens * (1 + running / maxRunning)));
      for (let i = 0; i < job.outputTokens && open; i++) {
        if (i > 0) await sleep(spread(itlMs * (1 + running / maxRunning)));
        chunk(` tok${i}`);
        counters.generationTokens++;
      }
      if (!open) return;
      if (includeUsage) {
        const usage = { prompt_tokens: job.promptTokens, completion_tokens: job.outputTokens, total_tokens: job.promptTokens + job.outputTokens };
        res.write(`data: ${JSON.stringify({ id: 'sim', model, choices: [], usage })}\n\n`);
      }
      res.end('data: [DONE]\n\n');
    } finally {
      release();
    }
  };

  const metrics = () =>
    [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      `vllm:num_requests_running{model_name="${model}"} ${running}`,
      '# TYPE vllm:num_requests_waiting gauge',
      `vllm:num_requests_waiting{model_name="${model}"} ${waiting.length}`,
      '# TYPE vllm:kv_cache_usage_perc gauge',
      `vllm:kv_cache_usage_perc{model_name="${model}"} ${(running / maxRunning) * 0.9}`,
      '# TYPE vllm:prefix_cache_hits_total counter',
      `vllm:prefix_cache_hits_total{model_name="${model}"} ${counters.prefixHits}`,
      '# TYPE vllm:prefix_cache_queries_total counter',
      `vllm:prefix_cache_queries_total{model_name="${model}"} ${counters.prefixQueries}`,
      '# TYPE vllm:num_preemptions_total counter',
      `vllm:num_preemptions_total{model_name="${model}"} 0`,
      '',
    ].join('\n');

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'gpumon-sim' }] });
    if (req.method === 'GET' && path === '/metrics') return (res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }), res.end(metrics()));
    if (req.method !== 'POST' || (path !== '/v1/completions' && path !== '/v1/chat/completions')) return json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (t: string) => (body += t));
    req.on('end', () => {
      let r: { prompt?: unknown; messages?: { content?: unknown }[]; max_tokens?: unknown; ignore_eos?: unknown; stream_options?: { include_usage?: unknown } };
      try {
        r = JSON.parse(body) as typeof r;
      } catch {
        return json(res, 400, { error: { message: 'the body is not JSON' } });
      }
      const text = typeof r.prompt === 'string' ? r.prompt : (r.messages ?? []).map((m) => String(m.content ?? '')).join(' ');
      const promptTokens = text.split(/\s+/).filter(Boolean).length;
      const max = typeof r.max_tokens === 'number' && r.max_tokens > 0 ? Math.floor(r.max_tokens) : 128;
      // Without ignore_eos a request stops early now and then, as real ones do.
      const outputTokens = r.ignore_eos === true ? max : Math.max(1, Math.round(max * (0.6 + 0.4 * random())));
      const cached = Math.floor(promptTokens * 0.3);
      counters.prefixQueries += promptTokens;
      counters.prefixHits += cached;
      counters.promptTokens += promptTokens;
      void stream(res, path === '/v1/chat/completions', { promptTokens, outputTokens }, r.stream_options?.include_usage === true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    model,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
