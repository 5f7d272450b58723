/**
 * A parser for the Prometheus text exposition format (what vLLM, SGLang and
 * TGI serve at /metrics): `name{label="value",...} value [timestamp]` lines,
 * `#` comments and HELP/TYPE lines. Pure. A line it cannot read is skipped
 * and counted, never fatal: a scrape is advisory.
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** null for NaN. */
  readonly value: number | null;
}

export interface PromScrape {
  readonly samples: readonly PromSample[];
  readonly badLines: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(text: string): number | null | undefined {
  if (text === 'NaN') return null;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** `{a="x",b="y\"z"}` from `at` (the `{`): the labels and where they end, or null when malformed. */
function parseLabels(line: string, at: number): { labels: Record<string, string>; end: number } | null {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
    if (!name || line[i + name.length] !== '=' || line[i + name.length + 1] !== '"') return null;
    i += name.length + 2;
    let value = '';
    for (;;) {
      const ch = line[i++];
      if (ch === undefined) return null;
      if (ch === '"') break;
      if (ch === '\\') {
        const next = line[i++];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += ch;
    }
    labels[name] = value;
  }
}

export function parsePrometheus(text: string): PromScrape {
  const samples: PromSample[] = [];
  let badLines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) {
      badLines++;
      continue;
    }
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(line, name.length);
      if (!parsed) {
        badLines++;
        continue;
      }
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const value = parseValue(rest.trim().split(/\s+/)[0] ?? '');
    if (value === undefined) {
      badLines++;
      continue;
    }
    samples.push({ name, labels, value });
  }
  return { samples, badLines };
}

/** The sum over every label set of `name` (vLLM labels each engine and model); null when absent. */
export function metricSum(scrape: PromScrape, name: string): number | null {
  let sum: number | null = null;
  for (const s of scrape.samples) if (s.name === name && s.value !== null) sum = (sum ?? 0) + s.value;
  return sum;
}
