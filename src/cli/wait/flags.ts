import { type Command, Option } from 'commander';
import { parseDuration } from '../history/flags.js';
import { optionParser } from '../shared/options.js';
import { addPickOptions, type PickFlags } from '../select/flags.js';

export interface WaitFlags extends PickFlags {
  /** ms a GPU must stay free before it counts. */
  readonly settle: number;
  /** ms; give up after this. */
  readonly maxWait?: number;
}

/** `select`'s options, and how long to wait. */
export function addWaitOptions(cmd: Command): Command {
  const settle = parseDuration('--settle');
  return addPickOptions(cmd)
    .addOption(new Option('--settle <time>', 'a GPU counts once free this long (0: at once)').argParser(optionParser((t) => (t.trim() === '0' ? 0 : settle(t)))).default(30_000, '30s'))
    .addOption(new Option('--max-wait <time>', 'give up after this long (90s, 2h; exit 75)').argParser(optionParser(parseDuration('--max-wait'))));
}
