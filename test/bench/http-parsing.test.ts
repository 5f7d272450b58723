import { describe, expect, it } from 'vitest';
import { readChunk } from '../../src/bench/openai-chunk.js';
import { metricSum, parsePrometheus } from '../../src/bench/prometheus.js';
import { serverMetricsPoint, serverMetricsResult } from '../../src/bench/server-metrics.js';
import { SseParser } from '../../src/bench/sse.js';

describe('SseParser', () => {
  it('dispatches at blank lines, whatever the split and line endings', () => {
    const text = 'data: a\n\ndata:b\r\n\r\n: ping\n\nevent: x\ndata: c1\ndata: c2\r\rdata: last';
    const whole = new SseParser();
    const all = [...whole.push(text), ...whole.end()];
    expect(all).toEqual(['a', 'b', 'c1\nc2', 'last']);
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      expect([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.end()]).toEqual(all);
    }
  });

  it('strips exactly one space after data:', () => {
    expect(new SseParser().push('data:  two\n\ndata\n\n')).toEqual([' two', '']);
  });
});

describe('readChunk', () => {
  it('reads completions, chat deltas, usage and [DONE]', () => {
    expect(readChunk('{"choices":[{"text":"hi"}]}')).toEqual({ kind: 'data', text: 'hi', completionTokens: null, promptTokens: null });
    expect(readChunk('{"choices":[{"delta":{"role":"assistant"}}]}')).toMatchObject({ kind: 'data', text: '' });
    expect(readChunk('{"choices":[{"delta":{"reasoning_content":"hm","content":"ok"}}]}')).toMatchObject({ text: 'hmok' });
    expect(readChunk('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}')).toMatchObject({ text: '', completionTokens: 7, promptTokens: 5 });
    expect(readChunk(' [DONE] ')).toEqual({ kind: 'done' });
  });

  it('reads the error shapes servers send after HTTP 200', () => {
    expect(readChunk('{"error":{"message":"boom"}}')).toEqual({ kind: 'error', message: 'boom' });
    expect(readChunk('{"error":"Input validation error"}')).toEqual({ kind: 'error', message: 'Input validation error' });
    expect(readChunk('{"object":"error","message":"too long"}')).toEqual({ kind: 'error', message: 'too long' });
    expect(readChunk('not json')).toMatchObject({ kind: 'error', message: expect.stringContaining('not JSON') });
  });
});

const VLLM = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 12.0
vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
vllm:num_requests_waiting{engine="0",model_name="m"} 0.0
vllm:gpu_cache_usage_perc{model_name="m"} 0.25
vllm:prefix_cache_hits_total{model_name="m"} 1.5e3
vllm:prefix_cache_queries_total{model_name="m"} 6000
vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="a \\"quoted\\" \\\\ name"} 42 1700000000000
weird{model="x"} NaN
broken{oops 1
also broken
`;

describe('parsePrometheus', () => {
  it('reads samples, labels with escapes, exponents, +Inf, NaN and timestamps, and counts what it cannot read', () => {
    const s = parsePrometheus(VLLM);
    expect(s.badLines).toBe(2);
    expect(s.samples).toHaveLength(8);
    expect(s.samples[0]).toEqual({ name: 'vllm:num_requests_running', labels: { engine: '0', model_name: 'meta-llama/Llama-3.1-8B-Instruct' }, value: 12 });
    expect(s.samples[6]).toEqual({ name: 'vllm:time_to_first_token_seconds_bucket', labels: { le: '+Inf', model_name: 'a "quoted" \\ name' }, value: 42 });
    expect(s.samples[7]!.value).toBeNull();
    expect(metricSum(s, 'vllm:num_requests_running')).toBe(15);
    expect(metricSum(s, 'vllm:absent')).toBeNull();
  });

  it("takes vLLM's older cache gauge, and diffs counters over a run", () => {
    const a = serverMetricsPoint(parsePrometheus(VLLM));
    expect(a).toEqual({ running: 15, waiting: 0, kvCachePercent: 25, prefixCacheHits: 1500, prefixCacheQueries: 6000, preemptions: null });
    const b = { ...a, running: 5, kvCachePercent: 75, prefixCacheHits: 2500, prefixCacheQueries: 8000 };
    const r = serverMetricsResult('http://x/metrics', [a, b], 1, 'ECONNREFUSED');
    expect(r).toMatchObject({ scrapes: 2, failed_scrapes: 1, mean_running: 10, max_running: 15, mean_kv_cache_percent: 50, max_kv_cache_percent: 75, preemptions: null });
    // (2500 - 1500) / (8000 - 6000)
    expect(r.prefix_cache_hit_percent).toBe(50);
  });
});
