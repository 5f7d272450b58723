import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { openHistory } from '../../src/store/database.js';
import { HistoryRecorder } from '../../src/store/recorder.js';
import { REPORT_CHARTS } from '../../src/model/history-report.js';
import { launchChromium } from '../helpers/browser.js';
import { gpumon } from '../helpers/run-cli.js';
import { snapshotSeries } from '../helpers/snapshots.js';

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
