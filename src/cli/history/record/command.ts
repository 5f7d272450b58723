import { type Command, Option } from 'commander';
import { addSourceOptions, optionParser } from '../../shared/options.js';
import { parseDuration } from '../flags.js';
import type { RecordFlags } from './flags.js';

/** `gpumon record`: samples to the history database until --duration or a signal; SQLite loads when it runs. */
export function addRecordCommand(program: Command): void {
  addSourceOptions(
    program.command('record')
      .description('record samples to the history database (SQLite)')
      .option('--db <path>', 'the history database (default: $XDG_DATA_HOME/gpumon/history.db)')
      .option('--label <text>', 'name this recording (a span)')
      .addOption(new Option('--duration <time>', 'stop after this long (90s, 10m, 1h)').argParser(optionParser(parseDuration('--duration')))),
  ).action(async (opts: RecordFlags) => {
    process.exitCode = await (await import('./run.js')).runRecord(opts, process.env);
  });
}
