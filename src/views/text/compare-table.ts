import type { ComparedMetric, Comparison } from '../../bench/compare.js';
import { NA, padEnd, padStart, truncate } from '../format.js';

/**
 * `bench compare` as a text table (rows: metrics; columns: results, each
 * after the first with its ratio to the first) or as Markdown.
 */

const arrows = (ascii: boolean) => (ascii ? { lower: 'v', higher: '^', times: 'x' } : { lower: '↓', higher: '↑', times: '×' });

const fmtValue = (v: number | null, m: ComparedMetric) => (v === null ? NA : v.toFixed(m.digits));
const fmtRatio = (r: number | null, times: string) => (r === null ? NA : `${r.toFixed(2)}${times}`);
const metricLabel = (m: ComparedMetric) => (m.unit ? `${m.label} (${m.unit})` : m.label);

function legend(ascii: boolean): string {
  const a = arrows(ascii);
  return `${a.lower} lower is better, ${a.higher} higher is better; ratios are to the first column.`;
}

export function renderCompareText(c: Comparison, opts: { readonly width: number; readonly ascii: boolean }): string {
  const a = arrows(opts.ascii);
  const width = Math.max(60, opts.width);
  const labels = c.metrics.map((m) => `${metricLabel(m)}${m.better ? ` ${a[m.better]}` : ''}`);
  const labelWidth = Math.min(44, Math.max(...labels.map((l) => l.length)));
  // A column: its value, then (after the first) the ratio in a field of its own.
  const cells = c.columns.map((_, i) => c.metrics.map((m) => ({ value: fmtValue(m.values[i] ?? null, m), ratio: i === 0 ? '' : fmtRatio(m.ratios[i] ?? null, a.times) })));
  const colWidth = (i: number) => {
    const valueW = Math.max(...cells[i]!.map((x) => x.value.length));
    const ratioW = i === 0 ? 0 : Math.max(...cells[i]!.map((x) => x.ratio.length)) + 2;
    return { valueW, ratioW, total: Math.max(valueW + ratioW, Math.min(28, c.columns[i]!.label.length)) };
  };
  const widths = c.columns.map((_, i) => colWidth(i));
  // Columns that do not fit the width go into further tables, each with the first (the base) again.
  const groups: number[][] = [];
  let cur: number[] = [0];
  let used = labelWidth + 2 + widths[0]!.total;
  for (let i = 1; i < c.columns.length; i++) {
    if (cur.length > 1 && used + 2 + widths[i]!.total > width) {
      groups.push(cur);
      cur = [0];
      used = labelWidth + 2 + widths[0]!.total;
    }
    cur.push(i);
    used += 2 + widths[i]!.total;
  }
  groups.push(cur);
  const out: string[] = [];
  for (const g of groups) {
    if (out.length) out.push('');
    const row = (label: string, parts: string[]) => `${padEnd(truncate(label, labelWidth, opts.ascii), labelWidth)}${parts.map((p) => `  ${p}`).join('')}`.trimEnd();
    const head = (text: (i: number) => string) => row('', g.map((i) => padStart(truncate(text(i), widths[i]!.total, opts.ascii), widths[i]!.total)));
    out.push(head((i) => c.columns[i]!.label));
    c.metrics.forEach((_, r) => {
      out.push(
        row(
          labels[r]!,
          g.map((i) => {
            const w = widths[i]!;
            const x = cells[i]![r]!;
            return padStart(padStart(x.value, w.valueW) + (w.ratioW ? padStart(x.ratio, w.ratioW) : ''), w.total);
          }),
        ),
      );
    });
  }
  // What each column is: the command timed, or the model served.
  const what = c.columns.map((col) => ({ label: col.label, what: col.command ?? col.model }));
  if (what.some((w) => w.what)) out.push('', ...what.map((w) => truncate(`${w.label}: ${w.what ?? NA}`, width, opts.ascii)));
  out.push('', legend(opts.ascii));
  const plain = [...new Set(c.columns.map((col) => col.tool).filter((t) => t === 'vllm bench serve' || t === 'hyperfine'))];
  if (plain.length) out.push(`N/A: not in the file (${plain.join(' and ')} files have no GPU figures).`);
  return `${out.join('\n')}\n`;
}

export function renderCompareMarkdown(c: Comparison): string {
  const a = arrows(false);
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  const lines = [
    `| Metric | ${c.columns.map((col, i) => esc(i === 0 ? col.label : `${col.label} (ratio)`)).join(' | ')} |`,
    `| --- | ${c.columns.map(() => '---:').join(' | ')} |`,
  ];
  const what = c.kind === 'run' ? { name: 'Command', of: (i: number) => c.columns[i]!.command } : { name: 'Model', of: (i: number) => c.columns[i]!.model };
  if (c.columns.some((_, i) => what.of(i))) lines.push(`| ${what.name} | ${c.columns.map((_, i) => esc(what.of(i) ?? NA)).join(' | ')} |`);
  for (const m of c.metrics) {
    const cells = c.columns.map((_, i) => {
      const v = fmtValue(m.values[i] ?? null, m);
      return i === 0 ? v : `${v} (${fmtRatio(m.ratios[i] ?? null, a.times)})`;
    });
    lines.push(`| ${esc(metricLabel(m))}${m.better ? ` ${a[m.better]}` : ''} | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n\n${legend(false)}\n`;
}
