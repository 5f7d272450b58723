import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildGpuReports } from '../../../model/history-report.js';
import { meta, readSamples, typicalIntervalMs } from '../../../db/query.js';
import { VERSION } from '../../../version.js';
import { renderReportHtml, type ReportAssets } from '../../../views/report/html.js';
import { CliError, EXIT } from '../../../exit-status.js';
import { openRange } from '../open-db.js';
import type { ReportFlags } from './flags.js';

/** Points per chart series at most: twice this many buckets' min and max. */
export const REPORT_BUCKETS = 1500;

/** uPlot's built files, inlined so that the report opens without a network. */
export function uplotAssets(): ReportAssets {
  const require = createRequire(import.meta.url);
  const dist = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  return { uplotJs: dist('uPlot.iife.min.js'), uplotCss: dist('uPlot.min.css') };
}

/** `gpumon report`: the range as one self-contained HTML file. */
export async function runReport(opts: ReportFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const { db, range } = await openRange(opts, env);
  let html: string;
  let gpus: number;
  try {
    // Energy is not integrated across a gap of over 3 intervals (the recorder was stopped there), or 3 minutes where minute means are all there is.
    const maxGapMs = Math.max(2000, 3 * typicalIntervalMs(db, range), range.hasMinutes ? 180_000 : 0);
    const reports = buildGpuReports(readSamples(db, range), REPORT_BUCKETS, maxGapMs);
    gpus = reports.length;
    const hostname = meta(db).hostname ?? null;
    html = renderReportHtml(
      {
        title: `gpumon report${hostname ? ` · ${hostname}` : ''}`,
        hostname,
        from: range.from,
        to: range.to,
        spans: range.spans.map((s) => ({ kind: s.kind, label: s.label, start: Math.max(s.start, range.from), end: Math.min(s.end ?? range.to, range.to), resultFile: s.resultFile })),
        gpus: reports,
        generatedAt: Date.now(),
        version: VERSION,
      },
      uplotAssets(),
    );
  } finally {
    db.close();
  }
  try {
    writeFileSync(opts.out, html);
  } catch (e) {
    throw new CliError(`cannot write ${opts.out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, EXIT.cannotWrite);
  }
  process.stderr.write(`gpumon: wrote ${opts.out} (${gpus} GPU${gpus === 1 ? '' : 's'}, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KB)\n`);
}
