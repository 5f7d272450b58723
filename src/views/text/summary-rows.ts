/** The two line shapes of vLLM's benchmark summaries, shared by every benchmark's text summary. */

/** A title centred in a rule: `=== Serving Benchmark Result ===`. */
export function summaryRule(title: string, ch: string, width = 50): string {
  if (!title) return ch.repeat(width);
  const pad = Math.max(0, width - title.length - 2);
  return `${ch.repeat(Math.floor(pad / 2))} ${title} ${ch.repeat(Math.ceil(pad / 2))}`;
}

/** `Label:` padded to 40 columns, then the value. */
export function summaryRow(label: string, value: string): string {
  return `${`${label}:`.padEnd(40)}${value}`;
}
