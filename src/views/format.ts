import stringWidth from 'string-width';

/** Formatting shared by every text view. Unknown values print as `N/A`. */

export const NA = 'N/A';

export function fmtInt(v: number | null, unit = ''): string {
  return v === null ? NA : `${Math.round(v)}${unit}`;
}

export function fmtFixed(v: number | null, digits: number, unit = ''): string {
  return v === null ? NA : `${v.toFixed(digits)}${unit}`;
}

/** MiB as nvitop prints them: MiB below 1 GiB, else GiB with two decimals. */
export function fmtMiB(mib: number | null): string {
  if (mib === null) return NA;
  if (mib < 1024) return `${Math.round(mib)}MiB`;
  return `${(mib / 1024).toFixed(mib < 100 * 1024 ? 2 : 1)}GiB`;
}

/** Used/total MiB with one unit: `23.6/79.6 GiB`, `512/8192 MiB`. */
export function fmtMiBPair(used: number | null, total: number | null): string {
  if (used === null || total === null) return `${fmtMiB(used)}/${fmtMiB(total)}`;
  if (total < 1024) return `${Math.round(used)}/${Math.round(total)} MiB`;
  const gib = (mib: number) => (mib / 1024).toFixed(mib >= 100 * 1024 ? 0 : 1);
  return `${gib(used)}/${gib(total)} GiB`;
}

export function fmtBytes(bytes: number | null): string {
  return bytes === null ? NA : fmtMiB(bytes / 1024 / 1024);
}

/** Elapsed time like ps: `m:ss`, `h:mm:ss`, then `Nd hh:mm`. */
export function fmtDuration(seconds: number | null): string {
  if (seconds === null) return NA;
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  if (d > 0) return `${d}d ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${m}:${ss}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sun Nov 22 11:53:41 2026` in local time, as nvidia-smi and nvitop head their output (no Intl: it costs ms at start-up). */
export function fmtClock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

/** Text that is one column per UTF-16 unit: printable ASCII, °, …, arrows, box drawing, blocks and shapes (▲▼). */
const NARROW = /^[\x20-\x7e\u00b0\u2026\u2190-\u25ff]*$/;

/** Columns a string takes in a terminal (CJK and emoji take two). */
export function displayWidth(text: string): number {
  return NARROW.test(text) ? text.length : stringWidth(text);
}

/** Cuts text to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number, ascii = false): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  const mark = ascii ? '~' : '…';
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + mark;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/** Fits text to exactly `width` columns: truncated, or padded at the end. */
export function fit(text: string, width: number, ascii = false): string {
  return padEnd(truncate(text, width, ascii), width);
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A bar `width` cells wide filled to `percent` (0..100), with eighth-blocks
 * for the last cell (or `|` in ASCII). Empty when the value is unknown.
 */
export function bar(percent: number | null, width: number, ascii = false): string {
  if (width <= 0) return '';
  if (percent === null) return ' '.repeat(width);
  const p = Math.min(100, Math.max(0, percent));
  if (ascii) {
    const n = Math.round((p / 100) * width);
    return '|'.repeat(n) + ' '.repeat(width - n);
  }
  const eighths = Math.round((p / 100) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = EIGHTHS[eighths % 8] ?? '';
  return ('█'.repeat(full) + part).padEnd(width, ' ');
}

/** Words wrapped at `width` columns, every line indented. */
export function wrapWords(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && indent.length + cur.length + 1 + word.length > width) {
      lines.push(indent + cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(indent + cur);
  return lines;
}
