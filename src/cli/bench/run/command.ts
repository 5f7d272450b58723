import { type Command, InvalidArgumentError, Option } from 'commander';
import { addSourceOptions, optionParser, parseCount, parseSeconds } from '../../shared/options.js';
import type { BenchRunFlags, ListFlag, ScanFlag } from './flags.js';

/** hyperfine's options that take several values: `-P VAR MIN MAX`, `-L VAR VALUES`. */
const MULTI_VALUE: Readonly<Record<string, number>> = { '-P': 3, '--parameter-scan': 3, '-L': 2, '--parameter-list': 2 };
/** Joins those values into one argument for commander, which takes one per option. */
const SEPARATOR = '\u001f';

/** `-P n 1 8 cmd` -> `-P n␟1␟8 cmd`, up to a `--`. */
export function groupMultiValueOptions(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const n = MULTI_VALUE[a];
    if (a === '--' || n === undefined || i + n >= args.length) {
      if (a === '--') return [...out, ...args.slice(i)];
      out.push(a);
      continue;
    }
    out.push(a, args.slice(i + 1, i + 1 + n).join(SEPARATOR));
    i += n;
  }
  return out;
}

const values = (flag: string, names: string, n: number) => (text: string) => {
  const parts = text.split(SEPARATOR);
  if (parts.length !== n) throw new InvalidArgumentError(`${flag} takes ${names}`);
  return parts;
};
const collect = (v: string, previous: readonly string[] = []) => [...previous, v];
const oneOf = (flag: string, choices: readonly string[]) => (text: string) => {
  if (!choices.includes(text)) throw new InvalidArgumentError(`${flag}: '${text}' is not one of ${choices.join(', ')}`);
  return text;
};
const count = (flag: string, min = 1) => optionParser(parseCount(flag, min, 1_000_000));

/** `gpumon bench run [options] <command...>`: hyperfine's command line, with the GPUs watched. */
export function addBenchRunCommand(bench: Command): void {
  const cmd = bench
    .command('run')
    .description('time commands like hyperfine (its options), with the GPUs watched')
    .argument('<command...>', 'commands to time, one string each (sh -c; -N: no shell)')
    .addOption(new Option('-w, --warmup <NUM>', 'untimed runs of each command first').argParser(count('--warmup', 0)).default(0))
    .addOption(new Option('-m, --min-runs <NUM>', 'at least NUM timing runs (default: 10)').argParser(count('--min-runs')))
    .addOption(new Option('-M, --max-runs <NUM>', 'at most NUM timing runs (default: no limit)').argParser(count('--max-runs')))
    .addOption(new Option('-r, --runs <NUM>', 'exactly NUM timing runs').argParser(count('--runs')).conflicts(['minRuns', 'maxRuns']))
    .addOption(
      new Option('--min-benchmarking-time <SECS>', 'runs enough to fill this, within -m and -M')
        .argParser(optionParser(parseSeconds('--min-benchmarking-time', 0, 7 * 24 * 3600)))
        .default(3000, '3'),
    )
    .option('-s, --setup <CMD>', "run CMD before each command's runs")
    .option('-p, --prepare <CMD>', 'run CMD before each run (once, or per command)', collect)
    .option('-C, --conclude <CMD>', 'run CMD after each run (once, or per command)', collect)
    .option('-c, --cleanup <CMD>', "run CMD after each command's runs")
    .addOption(
      new Option('-P, --parameter-scan <VAR> <MIN> <MAX>', "each command for {VAR} = MIN..MAX").argParser((t): ScanFlag => {
        const [name, min, max] = values('-P/--parameter-scan', 'VAR MIN MAX', 3)(t) as [string, string, string];
        return { name, min, max };
      }),
    )
    .option('-D, --parameter-step-size <DELTA>', 'the step of -P (default: 1)')
    .addOption(
      new Option('-L, --parameter-list <VAR> <VALUES>', "each command for {VAR} in a,b,c (more -L: all combos)")
        .argParser((t, previous: readonly ListFlag[] = []): ListFlag[] => {
          const [name, list] = values('-L/--parameter-list', 'VAR VALUES', 2)(t) as [string, string];
          return [...previous, { name, values: list }];
        })
        .conflicts(['parameterScan']),
    )
    .option('-n, --command-name <NAME>', 'name the commands in order (once per command)', collect)
    .option('--reference <CMD>', 'compare with CMD (run first), not with the fastest')
    .option('-S, --shell <SHELL>', "e.g. 'bash --norc', default (sh) or none")
    .addOption(new Option('-N', "an alias for '--shell=none'").conflicts(['shell']))
    .option('-i, --ignore-failure', 'go on when a command fails (exit codes kept)')
    .addOption(new Option('--style <TYPE>', 'auto, basic, full, nocolor, color, none').argParser(oneOf('--style', ['auto', 'basic', 'full', 'nocolor', 'color', 'none'])).default('auto'))
    .addOption(new Option('--sort <METHOD>', 'auto, command or mean-time').argParser(oneOf('--sort', ['auto', 'command', 'mean-time'])).default('auto'))
    .addOption(new Option('-u, --time-unit <UNIT>', 'microsecond, millisecond or second').argParser(oneOf('--time-unit', ['microsecond', 'millisecond', 'second'])))
    .option('--export-json <FILE>', 'results as JSON (hyperfine\'s keys, and the GPUs)')
    .option('--export-csv <FILE>', 'the summary as CSV')
    .option('--export-markdown <FILE>', 'the summary as a Markdown table')
    .option('--export-asciidoc <FILE>', 'the summary as an AsciiDoc table')
    .option('--export-orgmode <FILE>', 'the summary as an org-mode table')
    .option('--show-output', "show the commands' output (--output=inherit)")
    .addOption(new Option('--output <WHERE>', 'null (the default), pipe, inherit or a file').argParser(collect).conflicts(['showOutput']))
    .option('--input <WHERE>', 'null (/dev/null, the default) or a file')
    .addOption(new Option('--run-timeout <seconds>', 'end a run still going after this: it failed').argParser(optionParser(parseSeconds('--run-timeout', 0.001, 7 * 24 * 3600))))
    .option('--json', 'print the result JSON instead of the summary')
    .addOption(
      new Option('--baseline <seconds>', 'measure idle GPU power first (0: not)')
        .argParser(optionParser((t) => (t.trim() === '0' ? 0 : parseSeconds('--baseline', 0.1, 600)(t))))
        .default(1000, '1'),
    )
    .option('--history-db <path>', "add a span to this history DB (default: record's, if any)")
    .addHelpText(
      'after',
      `
Examples:
  gpumon bench run 'python train_step.py --steps 20'
  gpumon bench run -w 1 -r 5 'gpu_burn 10' 'gpu_burn -d 10'
  gpumon bench run -P batch 8 64 -D 8 --export-csv sweep.csv 'python infer.py --batch {batch}'
  gpumon bench run -N -L model small,large 'python eval.py --model {model}'
  gpumon bench run --demo -r 3 'sleep 0.2'      (GPU side from the demo recording)`,
    );
  // Energy needs 10 Hz samples here, not the monitor's interval; -i is hyperfine's --ignore-failure.
  addSourceOptions(cmd, { short: false, help: 'seconds between GPU samples (default: 0.1)' });
  const parseOptions = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (args) => parseOptions(groupMultiValueOptions(args));
  cmd.action(async (commands: string[], opts: BenchRunFlags, self: Command) => {
    process.exitCode = await (await import('./run.js')).benchRun(commands, { ...opts, ascii: self.optsWithGlobals<{ ascii?: boolean }>().ascii }, process.env);
  });
}
