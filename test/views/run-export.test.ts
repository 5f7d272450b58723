import { describe, expect, it } from 'vitest';
import type { RunResultEntry, RunResultFile } from '../../src/bench/run-result.js';
import { exportAsciidoc, exportCsv, exportMarkdown, exportOrgmode } from '../../src/views/text/run-export.js';
import { hyperfineFile } from '../helpers/fixtures.js';
import { fromHyperfine } from '../helpers/hyperfine.js';

describe("bench run's exports are hyperfine's, byte for byte, for the same numbers", () => {
  for (const name of ['params', 'three']) {
    const file = fromHyperfine(name);
    const unit = name === 'three' ? 's' : null; // three was run with -u second
    it(`${name}: CSV, Markdown, AsciiDoc and org-mode`, () => {
      expect(exportCsv(file)).toBe(hyperfineFile(`${name}.csv`));
      expect(exportMarkdown(file, unit, 'auto')).toBe(hyperfineFile(`${name}.md`));
      expect(exportAsciidoc(file, unit, 'auto')).toBe(hyperfineFile(`${name}.adoc`));
      expect(exportOrgmode(file, unit, 'auto')).toBe(hyperfineFile(`${name}.org`));
    });
  }

  it('--sort mean-time orders the tables by mean; the relative column stays relative to the fastest', () => {
    const md = exportMarkdown(fromHyperfine('three'), null, 'mean-time').split('\n');
    expect(md.slice(2, 5).map((l) => l.split(' | ')[0])).toEqual(['| `exit 0`', '| `sleep 0.05`', '| `python3 -c pass`']);
    expect(md[2]).toMatch(/\| 1\.00 \|$/);
  });

  it('the --reference is 1.00 and a faster command reads below 1', () => {
    const file = fromHyperfine('params');
    const withRef: RunResultFile = { ...file, results: file.results.map((r, i) => ({ ...r, reference: i === 1 })) };
    const rows = exportMarkdown(withRef, null, 'auto').split('\n');
    expect(rows[2]).toMatch(/\| 0\.58 ± 0\.00 \|$/);
    expect(rows[3]).toMatch(/\| 1\.00 \|$/);
  });

  it('adds the GPU columns after hyperfine\'s when a command has GPU figures, N/A where one has none', () => {
    const file = fromHyperfine('params');
    const gpu = { energy_j: 90, peak_memory_used_mib: 40_000, throttled_seconds: 0.25 } as RunResultEntry['gpu'];
    const withGpu: RunResultFile = { ...file, results: [{ ...file.results[0]!, gpu, gpu_energy_j_per_run: 18 }, file.results[1]!] };
    const csv = exportCsv(withGpu).split('\n');
    expect(csv[0]).toBe('command,mean,stddev,median,user,system,min,max,parameter_ms,gpu_energy_j_per_run,gpu_peak_memory_used_mib,gpu_throttled_seconds');
    expect(csv[1]).toMatch(/,10,18,40000,0\.25$/);
    expect(csv[2]).toMatch(/,20,,,$/);
    const md = exportMarkdown(withGpu, null, 'auto').split('\n');
    expect(md[0]).toBe('| Command | Mean [ms] | Min [ms] | Max [ms] | Relative | Energy [J/run] | Peak GPU memory [MiB] | Throttled [s] |');
    expect(md[2]).toMatch(/\| 18\.0 \| 40000 \| 0\.3 \|$/);
    expect(md[3]).toMatch(/\| N\/A \| N\/A \| N\/A \|$/);
  });

  it('quotes a CSV field with a comma or a quote, as hyperfine does', () => {
    const file = fromHyperfine('params');
    const odd: RunResultFile = { ...file, results: [{ ...file.results[0]!, command: 'echo "a,b"' }] };
    expect(exportCsv(odd).split('\n')[1]).toMatch(/^"echo ""a,b""",0\.0135/);
  });
});
