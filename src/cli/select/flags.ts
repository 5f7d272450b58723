import { type Command, Option } from 'commander';
import { PICK_ORDERS, type PickCriteria, type PickOrder } from '../../model/gpu-pick.js';
import { UsageError } from '../../exit-status.js';
import { addSourceOptions, optionParser, parseCount, type SourceFlags } from '../shared/options.js';

/** The flags `gpumon select` and `gpumon wait` share: the source options, `--remote`, and what makes a GPU free. */
export interface PickFlags extends SourceFlags {
  readonly count: number;
  /** MiB. */
  readonly minFree?: number;
  readonly maxUtil: number;
  readonly maxProcs: number;
  readonly sort: PickOrder;
  readonly uuid?: boolean;
  /** One gpumon server (`gpumon serve`) whose GPUs to pick from. */
  readonly remote?: string;
}

export interface SelectFlags extends PickFlags {
  readonly json?: boolean;
}

const UNIT_MIB: Record<string, number> = { mib: 1, gib: 1024, tib: 1024 * 1024, mb: 1e6 / 2 ** 20, gb: 1e9 / 2 ** 20, tb: 1e12 / 2 ** 20 };

/** `20GiB`, `500MiB`, `1.5TiB`, `16GB` (a bare number is MiB, nvidia-smi's unit) -> MiB. */
export function parseMemorySize(flag: string) {
  return (text: string): number => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
    const factor = m ? (m[2] ? UNIT_MIB[m[2].toLowerCase()] : 1) : undefined;
    if (!m || factor === undefined) throw new UsageError(`${flag}: '${text}' is not a memory size (e.g. 20GiB, 500MiB, 16GB)`);
    return Number(m[1]) * factor;
  };
}

export function criteriaOf(flags: PickFlags): PickCriteria {
  return { count: flags.count, minFreeMiB: flags.minFree ?? null, maxUtilPercent: flags.maxUtil, maxProcesses: flags.maxProcs, order: flags.sort };
}

/** The options of `select` and `wait`: which GPUs count as free, how many, in which order, where they are. */
export function addPickOptions(cmd: Command): Command {
  const count = (flag: string, max: number) => optionParser(parseCount(flag, flag === '--count' ? 1 : 0, max));
  cmd
    .addOption(new Option('-n, --count <n>', 'how many GPUs').argParser(count('--count', 1024)).default(1))
    .addOption(new Option('--min-free <size>', 'at least this much memory free (20GiB, 500MiB)').argParser(optionParser(parseMemorySize('--min-free'))))
    .addOption(new Option('--max-util <percent>', 'utilization at most this %').argParser(count('--max-util', 100)).default(10))
    .addOption(new Option('--max-procs <n>', 'at most this many compute processes').argParser(count('--max-procs', 1_000_000)).default(0))
    .addOption(new Option('--sort <order>', 'which GPUs first: most memory free, least busy, lowest index').choices(PICK_ORDERS).default('free'))
    .option('--uuid', 'GPU UUIDs instead of indices')
    .option('--remote <url>', "pick from this gpumon server's GPUs (gpumon serve)");
  return addSourceOptions(cmd);
}
