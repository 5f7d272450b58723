import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { openHistory } from '../../src/db/database.js';
import { HistoryRecorder } from '../../src/db/recorder.js';
import { REPORT_CHARTS } from '../../src/model/history-report.js';
import { launchChromium } from '../helpers/browser.js';
import { query, startRecorder } from '../helpers/history.js';
import { gpumon } from '../helpers/run-cli.js';
import { snapshotSeries } from '../helpers/snapshots.js';
import { waitFor } from '../helpers/wait.js';

const OUT = new URL('../.out/', import.meta.url).pathname;

interface Drawn {
  gpu: number;
  metric: string;
  points: number;
  samples: number;
}

/** Opens the report in Chromium, counting any request that is not the file itself; returns what each chart drew. */
async function openReport(browser: BrowserContext, file: string, screenshot: string | null) {
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (globalThis as unknown as { gpumonReport?: unknown }).gpumonReport !== undefined, null, { timeout: 10_000 });
  const charts = await page.evaluate(() => (globalThis as unknown as { gpumonReport: { charts: Drawn[] } }).gpumonReport.charts);
  const canvases = await page.locator('.chart canvas').count();
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
  await page.close();
  return { charts, canvases, requests, errors };
}

/** The little of the DOM the span test reads (the project's types have no DOM library). */
interface ReportDocument {
  querySelectorAll(selector: string): ArrayLike<{
    dataset: Record<string, string | undefined>;
    querySelector(selector: 'canvas'): { getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
  }>;
}

let browser: BrowserContext;
beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('gpumon report in a real browser', () => {
  it('draws every recorded point of every GPU and metric, offline, with the spans and a summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-report-'));
    const db = join(dir, 'history.db');
    expect(gpumon(['record', '--demo', '--duration', '3s', '--interval', '0.25', '--db', db, '--label', 'fine-tune run 3']).status).toBe(0);
    const file = join(dir, 'report.html');
    const r = gpumon(['report', '--db', db, '--out', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^gpumon: wrote .*report\.html \(8 GPUs, \d+ KB\)\n$/);

    const sqlite = new Database(db, { readonly: true });
    const perGpu = sqlite.prepare('SELECT gpu_index AS gpu, count(*) AS n FROM gpu_samples GROUP BY gpu_index ORDER BY gpu_index').all() as { gpu: number; n: number }[];
    sqlite.close();

    const { charts, canvases, requests, errors } = await openReport(browser, file, join(OUT, 'report.png'));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(canvases).toBe(8 * REPORT_CHARTS.length);
    expect(charts).toEqual(perGpu.flatMap(({ gpu, n }) => REPORT_CHARTS.map(([metric]) => ({ gpu, metric, points: n, samples: n }))));
    expect(statSync(join(OUT, 'report.png')).size).toBeGreaterThan(10_000);
  });

  it("shades a benchmark's span (written next to a running recorder) on every chart, and lists it with its result file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-report-'));
    const db = join(dir, 'history.db');
    const recorder = await startRecorder(['--demo', '8xh100', '--only', '0,1', '--interval', '0.1', '--db', db, '--label', 'overnight']);
    // The recording's samples so far: when the first and the last were taken.
    const recorded = () => query<{ first: number | null; last: number | null }>(db, 'SELECT min(time) AS first, max(time) AS last FROM samples')[0]!;
    try {
      // A second of recording before the benchmark and a second after it, so the chart has unshaded time on both sides.
      await waitFor(() => recorded().last! - recorded().first! >= 1000, 'a second of recording before the benchmark', { got: () => JSON.stringify(recorded()) });
      expect(gpumon(['bench', 'run', '--demo', '--baseline', '0', '--runs', '4', '--export-json', join(dir, 'run.json'), '--history-db', db, 'sleep 0.3']).status).toBe(0);
      const [bench] = query<{ end: number }>(db, "SELECT end FROM spans WHERE kind = 'bench'");
      await waitFor(() => recorded().last! >= bench!.end + 1000, 'a second of recording after the benchmark', { got: () => JSON.stringify(recorded()) });
    } finally {
      recorder.child.kill('SIGTERM');
    }
    expect((await recorder.exited).code).toBe(143);
    const file = join(dir, 'report.html');
    expect(gpumon(['report', '--db', db, '--out', file]).status).toBe(0);

    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction((n) => (globalThis as unknown as { document: ReportDocument }).document.querySelectorAll('.uplot[data-spans]').length === n, 2 * REPORT_CHARTS.length, { timeout: 10_000 });
    const row = await page.locator('table.spans tr', { hasText: 'bench run sleep 0.3' }).innerText();
    expect(row).toContain(`bench run sleep 0.3\tbench\t`);
    expect(row).toContain(join(dir, 'run.json'));
    expect(await page.locator('table.spans a').getAttribute('href')).toBe(pathToFileURL(join(dir, 'run.json')).href);
    // Per chart: the share of a pixel column that is the bench span's amber (red well above blue), inside the span and outside it.
    const shading = await page.evaluate(() =>
      Array.from((globalThis as unknown as { document: ReportDocument }).document.querySelectorAll('.uplot[data-spans]')).map((root) => {
        const shaded = JSON.parse(root.dataset.spans!) as { kind: string; x0: number; x1: number; top: number; height: number }[];
        const bench = shaded.find((s) => s.kind === 'bench')!;
        const record = shaded.find((s) => s.kind === 'record')!;
        const ctx = root.querySelector('canvas').getContext('2d');
        const amber = (x: number) => {
          const px = ctx.getImageData(Math.round(x), Math.round(bench.top), 1, Math.round(bench.height)).data;
          let n = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i]! - px[i + 2]! > 15) n++;
          return n / (px.length / 4);
        };
        return { width: bench.x1 - bench.x0, inside: amber((bench.x0 + bench.x1) / 2), outside: amber((record.x0 + bench.x0) / 2) };
      }),
    );
    await page.screenshot({ path: join(OUT, 'report-bench-span.png') });
    await page.close();
    expect(shading).toHaveLength(2 * REPORT_CHARTS.length);
    for (const chart of shading) {
      expect(chart.width).toBeGreaterThan(20);
      expect(chart.inside).toBeGreaterThan(0.8);
      expect(chart.outside).toBeLessThan(0.2);
    }
  });

  it('draws a long range as min/max buckets, keeping the peak, for a report limited to one GPU', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-report-'));
    const path = join(dir, 'history.db');
    const db = await openHistory(path, 'write');
    const series = snapshotSeries(2, 0, 4000);
    const recorder = new HistoryRecorder(db);
    for (const s of series.slice(0, 1000)) recorder.add(s);
    recorder.begin('bench', 'bench http', series[1000]!.time);
    for (const s of series.slice(1000, 2000)) recorder.add(s);
    recorder.end('quit', series[1999]!.time);
    for (const s of series.slice(2000)) recorder.add(s);
    db.close();
    const file = join(dir, 'report.html');
    expect(gpumon(['report', '--db', path, '--gpu', '1', '--out', file]).status).toBe(0);
    const { charts, errors } = await openReport(browser, file, join(OUT, 'report-downsampled.png'));
    expect(errors).toEqual([]);
    expect(charts.map((c) => c.gpu)).toEqual(REPORT_CHARTS.map(() => 1));
    for (const c of charts) {
      expect(c.samples).toBe(4000);
      expect(c.points).toBeLessThanOrEqual(3000);
      expect(c.points).toBeGreaterThan(2000);
    }
  });
});
