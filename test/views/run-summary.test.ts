import { describe, expect, it } from 'vitest';
import type { RunResultFile } from '../../src/bench/run-result.js';
import { renderBenchmarkResult, renderComparison, type SummaryOptions } from '../../src/views/text/run-summary.js';
import { makePainter } from '../../src/views/style.js';
import { hyperfineFile } from '../helpers/fixtures.js';
import { fromHyperfine } from '../helpers/hyperfine.js';

const OPTS: SummaryOptions = { width: 100, ascii: false, unit: null, sort: 'auto', painter: makePainter(false) };
const lines = (text: string) => text.split('\n');

describe("bench run's summary, in hyperfine's words", () => {
  it("the Time and Range lines and the Summary read as hyperfine 1.15's for the same numbers", () => {
    const file = fromHyperfine('params');
    const theirs = lines(hyperfineFile('params.stdout.txt'));
    const first = lines(renderBenchmarkResult(file.results[0]!, file, { ...OPTS, detailed: false, planned: null }));
    expect(first.slice(0, 2)).toEqual(theirs.slice(1, 3));
    expect(lines(renderComparison(file, OPTS)).slice(0, 3)).toEqual(theirs.slice(-4, -1));
  });

  it('--time-unit second, and a wide ratio as hyperfine pads it', () => {
    const file = fromHyperfine('three');
    const theirs = lines(hyperfineFile('three.stdout.txt'));
    const opts = { ...OPTS, unit: 's' as const };
    expect(lines(renderBenchmarkResult(file.results[1]!, file, { ...opts, detailed: false, planned: null })).slice(0, 2)).toEqual(theirs.slice(5, 7));
    expect(lines(renderComparison(file, opts)).slice(0, 4)).toEqual(theirs.slice(-5, -1));
  });

  it('with a --reference that is not the fastest: the faster ones read "slower than"', () => {
    const file = fromHyperfine('params');
    const ref: RunResultFile = { ...file, results: file.results.map((r, i) => ({ ...r, reference: i === 1 })) };
    expect(lines(renderComparison(ref, OPTS)).slice(0, 3)).toEqual(['Summary', "  'sleep 20 ms' ran", "    1.72 ± 0.01 times slower than 'sleep 10 ms'"]);
  });

  it('--sort command: the relative speed of each, in the order given', () => {
    expect(lines(renderComparison(fromHyperfine('three'), { ...OPTS, sort: 'command' })).slice(0, 4)).toEqual([
      'Relative speed comparison',
      '      214.04 ± 281.82  sleep 0.05',
      '     1207.01 ± 1589.48  python3 -c pass',
      '        1.00          exit 0',
    ]);
  });

  it('a sweep: one row per parameter value, with what the GPUs did', () => {
    const file = fromHyperfine('params');
    const gpu = { energy_j: 90, avg_power_w: 700, peak_memory_used_mib: 40_000, throttled_seconds: 0.25 } as RunResultFile['results'][number]['gpu'];
    const swept: RunResultFile = { ...file, results: [{ ...file.results[0]!, gpu, gpu_energy_j_per_run: 18 }, file.results[1]!] };
    const table = lines(renderComparison(swept, OPTS));
    const at = table.indexOf('Sweep');
    expect(table[at + 1]).toMatch(/^ {2}ms +mean ± σ +J\/run +avg W +peak GPU mem +tree mem +throttled$/);
    expect(table[at + 2]).toMatch(/^ {2}10 +13\.5 ms ± 0\.1 ms +18\.0 +700 +39\.06GiB +N\/A +0\.3 s$/);
    expect(table[at + 3]).toMatch(/^ {2}20 +23\.2 ms ± 0\.1 ms +N\/A +N\/A +N\/A +N\/A +N\/A$/);
  });

  it('one command alone has no comparison', () => {
    const file = fromHyperfine('params');
    expect(renderComparison({ ...file, results: [file.results[0]!] }, OPTS)).toBe('');
  });
});
