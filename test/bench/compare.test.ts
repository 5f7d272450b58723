import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareResults, type LoadedFile, MixedKinds, NotAResult } from '../../src/bench/compare.js';
import { renderCompareMarkdown, renderCompareText } from '../../src/views/text/compare-table.js';
import { gpumon, STACK_FRAME } from '../helpers/run-cli.js';

const FIX = 'fixtures/bench/';
const file = (name: string, label = name): LoadedFile => ({ path: FIX + name, label, doc: JSON.parse(readFileSync(FIX + name, 'utf8')) });
const metric = (c: ReturnType<typeof compareResults>, key: string) => c.metrics.find((m) => m.key === key)!;

describe('bench compare on serving results', () => {
  const c = compareResults([file('http-bf16.json', 'bf16'), file('http-fp8.json', 'fp8'), file('vllm-serve-bf16.json', 'vllm')]);

  it('gives each metric its values and ratios to the first (hand-computed)', () => {
    expect(c.kind).toBe('http');
    expect(c.columns.map((x) => [x.label, x.tool])).toEqual([
      ['bf16', 'gpumon bench http'],
      ['fp8', 'gpumon bench http'],
      ['vllm', 'vllm bench serve'],
    ]);
    expect(metric(c, 'output_throughput')).toMatchObject({ values: [256, 320, 256], ratios: [1, 1.25, 1], better: 'higher' });
    expect(metric(c, 'mean_ttft_ms').ratios[1]).toBeCloseTo(41 / 50, 12); // 0.82
    expect(metric(c, 'mean_ttft_ms').better).toBe('lower');
    expect(metric(c, 'p99_itl_ms').ratios[1]).toBeCloseTo(14.56 / 18.2, 12); // 0.8
    expect(metric(c, 'gpu_peak_memory_used_mib').ratios[1]).toBeCloseTo(45000 / 70000, 12);
    expect(metric(c, 'joules_per_output_token').values).toEqual([2, 1.28, null]);
    expect(metric(c, 'joules_per_output_token').ratios[1]).toBeCloseTo(0.64, 12);
  });

  it('shows N/A for what a plain vllm file lacks (no e2el unless asked, no gpu) and for ratios to 0', () => {
    expect(metric(c, 'mean_e2el_ms').values).toEqual([1955, 1565, null]);
    expect(metric(c, 'gpu_energy_j').ratios).toEqual([1, expect.any(Number), null]);
    expect(metric(c, 'failed').ratios).toEqual([null, null, null]); // 0 failed in the base
    const text = renderCompareText(c, { width: 120, ascii: false });
    expect(text).toMatch(/^Mean TTFT \(ms\) ↓ +50\.00 +41\.00 +0\.82× +50\.00 +1\.00×$/m);
    expect(text).toMatch(/^Output token throughput \(tok\/s\) ↑ +256\.0 +320\.0 +1\.25× +256\.0 +1\.00×$/m);
    expect(text).toMatch(/^Energy per output token \(J\/tok\) ↓ +2\.000 +1\.280 +0\.64× +N\/A +N\/A$/m);
    expect(text).toContain('↓ lower is better, ↑ higher is better');
  });

  it('splits columns that do not fit into more tables, each with the base again', () => {
    const text = renderCompareText(c, { width: 60, ascii: true });
    const tables = text.split('\n\n');
    expect(tables[0]).toMatch(/^Mean TTFT \(ms\) v +50\.00 +41\.00 +0\.82x$/m);
    expect(tables[1]).toMatch(/^Mean TTFT \(ms\) v +50\.00 +50\.00 +1\.00x$/m);
    for (const line of text.split('\n').slice(0, -3)) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('renders Markdown', () => {
    const md = renderCompareMarkdown(compareResults([file('http-bf16.json', 'bf16'), file('http-fp8.json', 'fp8')]));
    expect(md).toMatch(/^\| Metric \| bf16 \| fp8 \(ratio\) \|$/m);
    expect(md).toMatch(/^\| Mean TTFT \(ms\) ↓ \| 50\.00 \| 41\.00 \(0\.82×\) \|$/m);
    expect(md).toMatch(/^\| Model \| meta-llama\/Llama-3\.1-8B-Instruct \| neuralmagic\/Meta-Llama-3\.1-8B-Instruct-FP8 \|$/m);
  });
});

describe('bench compare on command results', () => {
  it('reads hyperfine files (one column per command) and gpumon bench run files', () => {
    const c = compareResults([file('hyperfine.json'), file('run-demo.json')]);
    expect(c.kind).toBe('run');
    expect(c.columns.map((x) => [x.label, x.command, x.tool])).toEqual([
      ['hyperfine.json #1', 'python infer.py --dtype bf16', 'hyperfine'],
      ['hyperfine.json #2', 'python infer.py --dtype fp8', 'hyperfine'],
      ['run-demo.json', 'sleep 0.5', 'gpumon bench run'],
    ]);
    expect(metric(c, 'mean').ratios[1]).toBeCloseTo(0.8, 12);
    expect(metric(c, 'runs_per_second').values[1]).toBeCloseTo(1 / 1.6, 12);
    expect(metric(c, 'runs_per_second').ratios[1]).toBeCloseTo(1.25, 12);
    const run = JSON.parse(readFileSync(`${FIX}run-demo.json`, 'utf8')).results[0];
    expect(metric(c, 'gpu_energy_per_run_j').values[2]).toBeCloseTo(run.gpu.energy_j / run.times.length, 9);
    expect(metric(c, 'gpu_energy_j').values.slice(0, 2)).toEqual([null, null]);
  });

  it('refuses files that are not results, and mixed kinds', () => {
    expect(() => compareResults([file('not-a-result.json')])).toThrow(NotAResult);
    expect(() => compareResults([file('http-bf16.json'), file('hyperfine.json')])).toThrow(MixedKinds);
    expect(() => compareResults([{ path: 'x', label: 'x', doc: { kind: 'run', results: [] } }])).toThrow(/without any finished run/);
  });
});

describe('gpumon bench compare', () => {
  it('prints the table, --json, and --label', () => {
    const r = gpumon(['bench', 'compare', '--label', 'bf16', '--label', 'fp8', `${FIX}http-bf16.json`, `${FIX}http-fp8.json`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ +bf16 +fp8$/m);
    expect(r.stdout).toMatch(/^fp8: neuralmagic\/Meta-Llama-3\.1-8B-Instruct-FP8$/m); // what each column is
    const j = gpumon(['bench', 'compare', '--json', `${FIX}http-bf16.json`, `${FIX}http-fp8.json`]);
    const doc = JSON.parse(j.stdout);
    expect(doc.kind).toBe('http');
    expect(doc.metrics.find((m: { key: string }) => m.key === 'output_throughput').ratios).toEqual([1, 1.25]);
  });

  it('exits 66 for a file it cannot read, 65 for one that is not JSON, not a result, or of another kind', () => {
    const cases: [string[], number, RegExp][] = [
      [[`${FIX}missing.json`], 66, /^gpumon: cannot read fixtures\/bench\/missing\.json: no such file$/],
      [[FIX], 66, /: a directory$/],
      [[`${FIX}truncated.json`], 65, /^gpumon: fixtures\/bench\/truncated\.json is not JSON/],
      [[`${FIX}not-a-result.json`], 65, /^gpumon: fixtures\/bench\/not-a-result\.json: not a benchmark result/],
      [[`${FIX}http-bf16.json`, `${FIX}hyperfine.json`], 65, /^gpumon: cannot compare a bench http \(serving\) result/],
    ];
    for (const [files, status, message] of cases) {
      const r = gpumon(['bench', 'compare', ...files]);
      expect(r.status).toBe(status);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(r.stdout).toBe('');
    }
    expect(gpumon(['bench', 'compare', '--json', '--markdown', `${FIX}hyperfine.json`]).status).toBe(2);
  });
});
