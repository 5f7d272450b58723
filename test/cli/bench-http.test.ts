import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_SMI } from '../helpers/fixtures.js';
import { startOpenAiServer, TEST_CERT, type TestServer, tokenStream } from '../helpers/openai-server.js';
import { freshConfigDir, spawnGpumon, STACK_FRAME } from '../helpers/run-cli.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const out = () => join(mkdtempSync(join(tmpdir(), 'gpumon-bench-')), 'result.json');
const NO_GPU = ['--nvidia-smi', '/nonexistent/nvidia-smi', '--idle-baseline', '0'];
const fast = () => startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 30, itlMs: 10, tokens: 5 }) }));
/** The URL of a server that was there and is gone: connections to it are refused. */
async function goneServerUrl(): Promise<string> {
  const gone = await fast();
  await gone.close();
  return gone.url;
}
const readResult = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('gpumon bench http', () => {
  it('runs end to end: the summary, the result file with vLLM keys, the model from /v1/models', async () => {
    server = await fast();
    const path = out();
    const r = await spawnGpumon(['bench', 'http', '--base-url', server.url, '--num-prompts', '6', '--max-concurrency', '3', '--random-input-len', '8', '--random-output-len', '5', '--ignore-eos', '--metric-percentiles', '50,99', '--goodput', 'ttft:60000', 'e2el:60000', '--save-detailed', '--result-filename', path, ...NO_GPU], { OPENAI_API_KEY: 'sk-from-env' }).done;
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^=+ Serving Benchmark Result =+$/m);
    expect(r.stdout).toMatch(/^Successful requests:\s+6$/m);
    expect(r.stdout).toMatch(/^Maximum request concurrency:\s+3$/m);
    expect(r.stdout).toMatch(/^P50 ITL \(ms\):\s+\d+\.\d\d$/m);
    expect(r.stdout).toMatch(/^GPU not measured: .*nvidia-smi/m);
    const body = server.requests[0]!.body;
    expect(body).toMatchObject({ model: 'test-model', max_tokens: 5, stream: true, stream_options: { include_usage: true }, ignore_eos: true });
    expect(String(body.prompt).split(' ')).toHaveLength(8);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-from-env');
    expect(r.stdout).toMatch(/^Request goodput \(req\/s\):\s+\d+\.\d\d$/m);
    const j = readResult(path);
    expect(j).toMatchObject({ kind: 'http', model_id: 'test-model', completed: 6, failed: 0, num_prompts: 6, request_rate: 'inf', burstiness: 1, max_concurrency: 3, total_output_tokens: 30, total_input_tokens: 60 });
    for (const k of ['duration', 'request_throughput', 'output_throughput', 'total_token_throughput', 'mean_ttft_ms', 'median_ttft_ms', 'std_ttft_ms', 'p99_ttft_ms', 'p50_itl_ms', 'mean_tpot_ms', 'p99_e2el_ms'])
      expect(typeof j[k], k).toBe('number');
    expect(j.mean_ttft_ms as number).toBeGreaterThanOrEqual(29);
    // Every request meets SLOs of a minute.
    expect(j.request_goodput).toBe(j.request_throughput);
    expect((j.ttfts as number[]).length).toBe(6);
    expect((j.itls as number[][])[0]).toHaveLength(4);
    expect(j.errors).toEqual(['', '', '', '', '', '']);
    expect(j.gpu).toMatchObject({ devices: [], energy_j: null });
    expect(j.gpu_unavailable).toMatch(/nvidia-smi/);
    expect(typeof j.date).toBe('string');
  });

  it('measures the GPUs when nvidia-smi answers: idle baseline, energy, J per output token', async () => {
    server = await fast();
    const path = out();
    const r = await spawnGpumon(['bench', 'http', '--base-url', server.url, '--num-prompts', '20', '--max-concurrency', '2', '--idle-baseline', '0.5', '--result-filename', path, '--nvidia-smi', FAKE_SMI], { FAKE_SMI_SCENARIO: 'series' }).done;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^-+ GPU -+$/m);
    expect(r.stdout).toMatch(/^Idle baseline power \(W\):\s+\d+\.\d$/m);
    const gpu = readResult(path).gpu as { devices: unknown[]; energy_j: number; joules_per_output_token: number; sample_interval_ms: number };
    expect(gpu.devices.length).toBeGreaterThan(0);
    expect(gpu.energy_j).toBeGreaterThan(0);
    expect(gpu.joules_per_output_token).toBeCloseTo(gpu.energy_j / 100, 6);
    expect(gpu.sample_interval_ms).toBe(100);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('stops at %s: prints and saves the partial summary, exit %i', async (signal, status) => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 20, itlMs: 20, tokens: 10 }) }));
    const path = out();
    const run = spawnGpumon(['bench', 'http', '--base-url', server.url, '--num-prompts', '100000', '--max-concurrency', '4', '--result-filename', path, ...NO_GPU]);
    while (server.requests.length < 12) await new Promise((ok) => setTimeout(ok, 20));
    run.child.kill(signal);
    const r = await run.done;
    expect(r.status).toBe(status);
    expect(r.stdout).toMatch(/Serving Benchmark Result \(interrupted: partial\)/);
    expect(r.stderr).toContain(`bench http: ${signal}: stopping; summarizing what was measured`);
    const j = readResult(path);
    expect(j.stopped_by).toBe('interrupted');
    expect(j.completed as number).toBeGreaterThanOrEqual(4);
    expect(j.cancelled as number).toBeGreaterThanOrEqual(1);
  });

  it('refuses a result file it cannot write before sending anything (exit 73)', async () => {
    server = await fast();
    const file = join(mkdtempSync(join(tmpdir(), 'gpumon-bench-')), 'a-file');
    writeFileSync(file, '');
    const r = await spawnGpumon(['bench', 'http', '--base-url', server.url, '--model', 'm', '--num-prompts', '3', '--result-filename', `${file}/r.json`, ...NO_GPU]).done;
    expect(r.status).toBe(73);
    expect(r.stderr).toMatch(/^gpumon: --result-filename: cannot write .*a-file\/r\.json: ENOTDIR$/m);
    expect(server.requests).toHaveLength(0);
  });

  it('counts refused connections as failed requests and says so (exit 1), never a crash', async () => {
    const url = await goneServerUrl();
    const r = await spawnGpumon(['bench', 'http', '--base-url', url, '--model', 'm', '--num-prompts', '3', ...NO_GPU]).done;
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Failed requests:\s+3$/m);
    expect(r.stdout).toMatch(/^connection refused:\s+3  \(connection refused \(127\.0\.0\.1:\d+\)\)$/m);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('speaks HTTPS, checking the certificate: trusted through NODE_EXTRA_CA_CERTS it runs, untrusted every request fails', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 5, itlMs: 5, tokens: 3 }) }), 'tls-model', { https: true });
    const args = ['bench', 'http', '--base-url', server.url, '--num-prompts', '4', '--max-concurrency', '2', ...NO_GPU];
    const trusted = await spawnGpumon(args, { NODE_EXTRA_CA_CERTS: TEST_CERT }).done;
    expect(trusted.stderr).not.toMatch(STACK_FRAME);
    expect(trusted.status).toBe(0);
    expect(trusted.stdout).toMatch(/^Successful requests:\s+4$/m);
    expect(server.requests).toHaveLength(4);
    const untrusted = await spawnGpumon([...args, '--model', 'tls-model']).done;
    expect(untrusted.status).toBe(1);
    expect(untrusted.stdout).toMatch(/^Failed requests:\s+4$/m);
    expect(untrusted.stdout).toMatch(/self-signed certificate/);
    expect(server.requests).toHaveLength(4);
  });

  it('says the server is down when it cannot list the models (exit 69)', async () => {
    const url = await goneServerUrl();
    const r = await spawnGpumon(['bench', 'http', '--base-url', url, ...NO_GPU]).done;
    expect(r.status).toBe(69);
    expect(r.stderr).toBe(`gpumon: cannot list the models at ${url}/v1/models: connection refused (is the server up? or give --model)\n`);
  });

  it('refuses bad flags with exit 2', async () => {
    for (const args of [['--request-rate', 'fast'], ['--percentile-metrics', 'ttft,xyz'], ['--goodput', 'ttft=5'], ['--base-url', 'ftp://x'], ['--preset', 'nope'], ['--api-key', 'sk-a\r\nX-Injected: 1']]) {
      const r = await spawnGpumon(['bench', 'http', ...args, ...NO_GPU]).done;
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('uses a preset from the settings, flags over it, and repeats --iterations with mean, σ, min and max', async () => {
    server = await fast();
    const dir = freshConfigDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ 'bench.presets': { local: { 'base-url': server.url, 'num-prompts': 50, 'max-concurrency': 2, 'random-output-len': 5 } } }));
    const path = out();
    const r = await spawnGpumon(['bench', 'http', '--preset', 'local', '--num-prompts', '4', '--iterations', '2', '--result-filename', path, ...NO_GPU], { GPUMON_CONFIG_DIR: dir }).done;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^-+ Across 2 iterations -+$/m);
    const j = readResult(path);
    expect(j).toMatchObject({ completed: 8, max_concurrency: 2, num_prompts: 4 });
    expect((j.iterations as unknown[]).length).toBe(2);
    const across = (j.across_iterations as Record<string, { mean: number; min: number; max: number; std: number }>).request_throughput!;
    expect(across.min).toBeLessThanOrEqual(across.mean);
    expect(across.max).toBeGreaterThanOrEqual(across.mean);
    expect(server.requests).toHaveLength(8);
  });

  it('prints a plain progress line to stderr without a terminal', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 100, itlMs: 100, tokens: 13 }) }));
    const r = await spawnGpumon(['bench', 'http', '--base-url', server.url, '--num-prompts', '2', ...NO_GPU]).done;
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^bench http \d\.\ds: 0\/2 done, 0 failed, 2 in flight, /m);
    expect(r.stderr).not.toContain('\x1b[');
  });

  it('--demo runs against the built-in simulated server, with its /metrics (chat too)', async () => {
    const r = await spawnGpumon(['bench', 'http', '--demo', '--endpoint', '/v1/chat/completions', '--num-prompts', '8', '--request-rate', 'inf', '--random-output-len', '4', '--idle-baseline', '0.2']).done;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Successful requests:\s+8$/m);
    expect(r.stdout).toMatch(/^-+ Server metrics -+$/m);
    expect(r.stdout).toMatch(/^Energy \(J\):\s+\d+\.\d$/m);
  });
});
