import { type GpuReport, REPORT_CHARTS, SUMMARY_FIELDS } from '../../model/history-report.js';
import type { ClockEventReason } from '../../model/types.js';
import { pathToFileURL } from 'node:url';
import { fmtDuration } from '../format.js';

/**
 * `gpumon report`: one HTML file that opens without a network. uPlot's JS
 * and CSS and the data are inlined; the page draws one chart per GPU and
 * metric (cursors synced across all of them), shades the labelled spans on
 * every time axis, and puts a summary table on top. After drawing it sets
 * `data-points` on each chart (and window.gpumonReport) to the points drawn,
 * which the browser test compares with the database, and `data-spans` to
 * where it shaded each span.
 */

export interface ReportSpan {
  readonly kind: string;
  readonly label: string | null;
  readonly start: number;
  readonly end: number;
  /** A benchmark's result JSON, when it saved one. */
  readonly resultFile: string | null;
}

export interface ReportPage {
  readonly title: string;
  readonly hostname: string | null;
  readonly from: number;
  readonly to: number;
  readonly spans: readonly ReportSpan[];
  readonly gpus: readonly GpuReport[];
  readonly generatedAt: number;
  readonly version: string;
}

export interface ReportAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside <script>: no `</script>` or `<!--` can end it early. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
/** `2026-11-22 12:00:00 UTC`: whole seconds, readable, unambiguous. */
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

const SUMMARY_LABELS: Record<(typeof SUMMARY_FIELDS)[number], string> = {
  utilizationGpu: 'Util %',
  memoryUsedMiB: 'Memory MiB',
  powerDrawW: 'Power W',
  temperatureGpuC: 'Temp °C',
  clockSmMHz: 'SM clock MHz',
};

const num = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '–' : v.toFixed(digits));

function summaryTable(gpus: readonly GpuReport[]): string {
  const head = `<tr><th rowspan="2">GPU</th>${SUMMARY_FIELDS.map((f) => `<th colspan="3">${SUMMARY_LABELS[f]}</th>`).join('')}<th rowspan="2">Energy Wh</th><th rowspan="2">Throttled</th></tr>
<tr>${SUMMARY_FIELDS.map(() => '<th>mean</th><th>p95</th><th>max</th>').join('')}</tr>`;
  const rows = gpus.map((g) => {
    const cells = SUMMARY_FIELDS.map((f) => {
      const s = g.summary[f];
      const d = f === 'powerDrawW' ? 1 : 0;
      return `<td>${num(s?.mean, d)}</td><td>${num(s?.p95, d)}</td><td>${num(s?.max, d)}</td>`;
    }).join('');
    const throttled = (Object.entries(g.throttledSeconds) as [ClockEventReason, number][])
      .filter(([, s]) => s > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([r, s]) => `${r} ${fmtDuration(s)}`)
      .join('<br>');
    return `<tr><td class="gpu">${g.index} <span class="dim">${escapeHtml(g.name ?? '')}</span></td>${cells}<td>${num(g.energyWh, 1)}</td><td class="reasons">${throttled || 'none'}</td></tr>`;
  });
  return `<table class="summary">${head}${rows.join('')}</table>`;
}

/** A link to the result file (it opens from where it was saved, on the machine that ran the benchmark). */
const resultLink = (path: string) => `<a href="${escapeHtml(pathToFileURL(path).href)}">${escapeHtml(path)}</a>`;

function spanList(spans: readonly ReportSpan[]): string {
  if (spans.length === 0) return '';
  const rows = spans.map(
    (s) =>
      `<tr><td>${escapeHtml(s.label ?? '(no label)')}</td><td>${s.kind}</td><td>${iso(s.start)}</td><td>${iso(s.end)}</td><td>${fmtDuration((s.end - s.start) / 1000)}</td><td class="result">${s.resultFile ? resultLink(s.resultFile) : '–'}</td></tr>`,
  );
  return `<h2>Spans</h2><table class="spans"><tr><th>label</th><th>kind</th><th>start</th><th>end</th><th>length</th><th>result file</th></tr>${rows.join('')}</table>`;
}

/** The page's own script: builds the charts from the inlined data. Plain ES2017, no modules. */
const CLIENT = String.raw`
(function () {
  var D = JSON.parse(document.getElementById('gpumon-data').textContent);
  var COLORS = ['#3b82f6', '#f59e0b'];
  var sync = uPlot.sync('gpumon');
  var drawn = [];
  function spans(u) {
    var ctx = u.ctx, px = uPlot.pxRatio, top = u.bbox.top, h = u.bbox.height;
    var shaded = [];
    ctx.save();
    D.spans.forEach(function (s) {
      var x0 = u.valToPos(s.start / 1000, 'x', true), x1 = u.valToPos(s.end / 1000, 'x', true);
      if (x1 < u.bbox.left || x0 > u.bbox.left + u.bbox.width) return;
      x0 = Math.max(x0, u.bbox.left); x1 = Math.min(x1, u.bbox.left + u.bbox.width);
      shaded.push({ kind: s.kind, label: s.label, x0: x0, x1: x1, top: top, height: h });
      ctx.fillStyle = s.kind === 'bench' ? 'rgba(245,158,11,0.13)' : 'rgba(16,185,129,0.10)';
      ctx.fillRect(x0, top, Math.max(x1 - x0, px), h);
      ctx.fillStyle = s.kind === 'bench' ? '#b45309' : '#047857';
      ctx.fillRect(x0, top, px, h);
    });
    ctx.restore();
    // Where each span was shaded, in canvas pixels: the browser test reads the canvas there.
    u.root.dataset.spans = JSON.stringify(shaded);
  }
  // Labels go on top of the lines, on a white backing, so a busy series cannot hide them.
  function spanLabels(u) {
    var ctx = u.ctx, px = uPlot.pxRatio, top = u.bbox.top;
    ctx.save();
    ctx.font = (11 * px) + 'px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    D.spans.forEach(function (s) {
      if (!s.label) return;
      var x0 = Math.max(u.valToPos(s.start / 1000, 'x', true), u.bbox.left);
      if (x0 > u.bbox.left + u.bbox.width - 20 * px) return;
      var w = ctx.measureText(s.label).width;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(x0 + 2 * px, top + 2 * px, w + 6 * px, 15 * px);
      ctx.fillStyle = s.kind === 'bench' ? '#b45309' : '#047857';
      ctx.fillText(s.label, x0 + 5 * px, top + 13 * px);
    });
    ctx.restore();
  }
  var width = function () { return Math.max(320, Math.floor((document.body.clientWidth - 48) / 2) - 16); };
  var plots = [];
  D.gpus.forEach(function (g) {
    var box = document.getElementById('gpu-' + g.index);
    D.charts.forEach(function (c) {
      var el = document.createElement('div');
      el.className = 'chart';
      el.dataset.gpu = g.index; el.dataset.metric = c.key;
      box.appendChild(el);
      var series = [{}].concat(c.fields.map(function (f, i) {
        return { label: c.names[i], stroke: COLORS[i], width: 1.5, spanGaps: false, value: function (u, v) { return v == null ? '–' : v.toFixed(0) + ' ' + c.unit; } };
      }));
      var data = [g.series.t].concat(c.fields.map(function (f) { return g.series.values[f]; }));
      var u = new uPlot({
        title: c.title + ' (' + c.unit + ')', width: width(), height: 180, series: series,
        // UTC, as the times in the text: the page may be read in another time zone than it was made in.
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
        cursor: { sync: { key: sync.key } },
        scales: { x: { time: true }, y: c.key === 'utilization' ? { range: [0, 100] } : { range: function (u, lo, hi) { return [Math.min(0, lo), hi > 0 ? hi * 1.05 : 1]; } } },
        axes: [{}, { size: 56 }],
        hooks: { drawClear: [spans], draw: [spanLabels] }
      }, data, el);
      plots.push(u);
      var points = data[0].length;
      el.dataset.points = String(points);
      el.dataset.samples = String(g.series.samples);
      drawn.push({ gpu: g.index, metric: c.key, points: points, samples: g.series.samples });
    });
  });
  window.addEventListener('resize', function () { plots.forEach(function (u) { u.setSize({ width: width(), height: 180 }); }); });
  window.gpumonReport = { charts: drawn };
  document.body.dataset.charts = String(drawn.length);
})();
`;

export function renderReportHtml(page: ReportPage, assets: ReportAssets): string {
  const charts = REPORT_CHARTS.map(([key, title, unit, fields]) => ({
    key,
    title,
    unit,
    fields,
    names: fields.map((f) => ({ utilizationGpu: 'GPU', utilizationMemory: 'memory', temperatureGpuC: 'GPU', temperatureMemoryC: 'HBM', clockSmMHz: 'SM', clockMemMHz: 'memory', memoryUsedMiB: 'used', powerDrawW: 'draw' })[f]),
  }));
  const data = {
    spans: page.spans,
    charts,
    gpus: page.gpus.map((g) => ({ index: g.index, series: g.series })),
  };
  const downsampled = page.gpus.some((g) => g.series.t.length < g.series.samples);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${assets.uplotCss}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #111827; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.dim { color: #6b7280; font-weight: normal; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #e5e7eb; padding: 3px 8px; text-align: right; }
th { background: #f9fafb; font-weight: 600; text-align: center; } td.gpu, td.reasons, .spans td, .spans th { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.chart { border: 1px solid #f3f4f6; }
.uplot .u-title { font-size: 13px; font-weight: 600; }
</style></head>
<body>
<h1>GPU history${page.hostname ? ` · ${escapeHtml(page.hostname)}` : ''}</h1>
<div class="dim">${iso(page.from)} to ${iso(page.to)} (${fmtDuration((page.to - page.from) / 1000)}), ${page.gpus.length} GPU${page.gpus.length === 1 ? '' : 's'}.
${downsampled ? 'Long ranges are drawn as the minimum and maximum of each time bucket, so peaks stay visible; the summary uses every sample.' : 'Every sample is drawn.'}
Times are UTC. Drag on a chart to zoom, double-click to zoom out. Generated ${iso(page.generatedAt)} by gpumon ${escapeHtml(page.version)}.</div>
<h2>Summary</h2>
${summaryTable(page.gpus)}
${spanList(page.spans)}
${page.gpus.map((g) => `<h2>GPU ${g.index} <span class="dim">${escapeHtml(g.name ?? '')} · ${escapeHtml(g.uuid)}</span></h2><div class="charts" id="gpu-${g.index}"></div>`).join('\n')}
<script id="gpumon-data" type="application/json">${scriptJson(data)}</script>
<script>${assets.uplotJs}</script>
<script>${CLIENT}</script>
</body></html>
`;
}
