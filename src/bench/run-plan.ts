import { UsageError } from '../exit-status.js';
import type { CommandLine, OutputPolicy } from './child.js';
import { type Parameter, parameterCombinations, type ParameterValues, withParameters } from './parameters.js';

/**
 * What `bench run` will benchmark, from hyperfine's command line: each
 * command (times each parameter combination) with its name, its prepare and
 * conclude commands and where its output goes, the reference first. Pure:
 * it checks the counts hyperfine checks and says what is wrong.
 */

/** How commands run: through a shell (`sh -c`, or `--shell 'bash --norc'`), or split into words and run directly (`-N`). */
export type Shell = { readonly kind: 'none' } | { readonly kind: 'shell'; readonly argv: readonly [string, ...string[]] };

export interface BenchTarget {
  /** `--command-name`, or the command as run: what the summary and every export call it. */
  readonly name: string;
  readonly command: CommandLine;
  readonly parameters: ParameterValues;
  /** The `--reference`: the others are compared with it, not with the fastest. */
  readonly reference: boolean;
  readonly setup: CommandLine | null;
  readonly prepare: CommandLine | null;
  readonly conclude: CommandLine | null;
  readonly cleanup: CommandLine | null;
  readonly output: OutputPolicy;
}

export interface PlanInput {
  readonly commands: readonly string[];
  readonly names: readonly string[];
  readonly shell: Shell;
  readonly parameters: readonly Parameter[];
  readonly reference: string | null;
  readonly setup: string | null;
  readonly prepare: readonly string[];
  readonly conclude: readonly string[];
  readonly cleanup: string | null;
  /** `--output` values (null, pipe, inherit, or a file), once for all or once per command. */
  readonly output: readonly string[];
}

/** hyperfine's `--shell`: a shell command line ("bash --norc"), "default" (sh) or "none". */
export function parseShell(text: string | undefined, noShell: boolean): Shell {
  if (noShell || text === 'none') return { kind: 'none' };
  if (text === undefined || text === 'default') return { kind: 'shell', argv: ['sh'] };
  const argv = splitWords(text, '--shell');
  if (argv.length === 0) throw new UsageError('--shell: empty');
  return { kind: 'shell', argv: argv as [string, ...string[]] };
}

/**
 * A command line split into words as a POSIX shell splits it (quotes and
 * backslashes, no expansions), for `--shell=none`.
 */
export function splitWords(text: string, what: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const add = (c: string) => (word = (word ?? '') + c);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`${what}: unterminated ' in: ${text}`);
      add(text.slice(i + 1, end));
      i = end;
    } else if (c === '"') {
      add('');
      for (i++; ; i++) {
        if (i >= text.length) throw new UsageError(`${what}: unterminated " in: ${text}`);
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) add(text[++i]!);
        else add(d);
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new UsageError(`${what}: a \\ ends: ${text}`);
      add(text[++i]!);
    } else add(c);
  }
  if (word !== null) words.push(word);
  return words;
}

export function commandLine(text: string, shell: Shell, what = 'the command'): CommandLine {
  if (shell.kind === 'shell') return { file: shell.argv[0], args: [...shell.argv.slice(1), '-c', text], text };
  const [file, ...args] = splitWords(text, what);
  if (file === undefined) throw new UsageError(`${what} is empty`);
  return { file, args, text };
}

export function parseOutput(text: string): OutputPolicy {
  if (text === 'null' || text === 'pipe' || text === 'inherit') return { kind: text };
  if (text === '') throw new UsageError('--output: empty');
  return { kind: 'file', path: text };
}

/** One value for all, or one per command (hyperfine's rule for --prepare, --conclude, --output). */
function perCommand<T>(values: readonly T[], n: number, flag: string): (i: number) => T | null {
  if (values.length > 1 && values.length !== n)
    throw new UsageError(`${flag} is given ${values.length} times: give it once for all commands, or once for each of the ${n}`);
  return (i) => values[values.length === 1 ? 0 : i] ?? null;
}

export function planBenchmarks(p: PlanInput): BenchTarget[] {
  if (p.commands.length === 0) throw new UsageError('no command to benchmark');
  const combos = parameterCombinations(p.parameters);
  // Value-major, as hyperfine: for each combination, every command.
  const expanded = combos.flatMap((values) => p.commands.map((text) => ({ text: withParameters(text, values), values })));
  if (p.names.length > expanded.length) throw new UsageError(`--command-name is given ${p.names.length} times, for ${expanded.length} command${expanded.length === 1 ? '' : 's'}`);
  const prepare = perCommand(p.prepare, expanded.length, '--prepare');
  const conclude = perCommand(p.conclude, expanded.length, '--conclude');
  const output = perCommand(p.output.map(parseOutput), expanded.length, '--output');
  // The reference gets what is given once for all commands.
  const forAll = <T>(values: readonly T[]): T | null => (values.length === 1 ? values[0]! : null);
  const line = (text: string | null, values: ParameterValues, what: string) => (text === null ? null : commandLine(withParameters(text, values), p.shell, what));
  const target = (text: string, values: ParameterValues, i: number, reference: boolean): BenchTarget => {
    const name = reference ? null : (p.names[i] ?? (p.parameters.length ? p.names[0] : undefined));
    return {
      name: name !== undefined && name !== null ? withParameters(name, values) : text,
      command: commandLine(text, p.shell),
      parameters: values,
      reference,
      setup: line(p.setup, values, '--setup'),
      prepare: line(reference ? forAll(p.prepare) : prepare(i), values, '--prepare'),
      conclude: line(reference ? forAll(p.conclude) : conclude(i), values, '--conclude'),
      cleanup: line(p.cleanup, values, '--cleanup'),
      output: (reference ? forAll(p.output.map(parseOutput)) : output(i)) ?? { kind: 'null' },
    };
  };
  const targets = expanded.map((e, i) => target(e.text, e.values, i, false));
  return p.reference === null ? targets : [target(p.reference, {}, 0, true), ...targets];
}
