import { type Command, Option } from 'commander';
import { UsageError } from '../../exit-status.js';
import { optionParser } from '../shared/options.js';

/** The flags and value parsers the history commands (`record`, `export`, `report`) share. */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `1h`, `2d`, `1h30m` (a bare number is seconds) -> ms. */
export function parseDuration(flag: string) {
  return (text: string): number => {
    const t = text.trim();
    const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|min|s|m|h|d)?/g)];
    const ms = parts.reduce((sum, m) => sum + Number(m[1]) * UNITS[m[2] ?? 's']!, 0);
    if (parts.length === 0 || parts.map((m) => m[0]).join('') !== t || !(ms > 0))
      throw new UsageError(`${flag}: '${text}' is not a duration (e.g. 90s, 10m, 1h, 2d, 1h30m)`);
    return ms;
  };
}

/** An ISO 8601 time (`2026-11-22T12:00Z`, `2026-11-22 12:00`) or a time ago (`2h`, `30m`) -> ms since the epoch. */
export function parseTime(flag: string, now: () => number = Date.now) {
  return (text: string): number => {
    if (/^\d+(\.\d+)?(ms|min|s|m|h|d)/.test(text.trim())) return now() - parseDuration(flag)(text);
    const ms = /^\d{4}-\d\d-\d\d/.test(text.trim()) ? Date.parse(text.trim().replace(' ', 'T')) : NaN;
    if (Number.isNaN(ms)) throw new UsageError(`${flag}: '${text}' is not a time (ISO 8601 such as 2026-11-22T14:00Z, or a time ago such as 2h)`);
    return ms;
  };
}

export interface RangeFlags {
  readonly db?: string;
  readonly since?: number;
  readonly until?: number;
  readonly label?: string;
  readonly gpu?: string;
}

/** `--db`, `--since`, `--until` and `--label`: which recorded samples `export` and `report` read. */
export function addRangeOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'the history database (default: $XDG_DATA_HOME/gpumon/history.db)')
    .addOption(new Option('--since <time>', 'from this time: ISO 8601, or ago (2h)').argParser(optionParser(parseTime('--since'))))
    .addOption(new Option('--until <time>', 'to this time: ISO 8601, or ago (30m)').argParser(optionParser(parseTime('--until'))))
    .option('--label <text>', "only the spans recorded with this --label");
}
