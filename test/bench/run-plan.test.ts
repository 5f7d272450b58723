import { describe, expect, it } from 'vitest';
import { listParameter, scanParameter } from '../../src/bench/parameters.js';
import { commandLine, parseShell, planBenchmarks, type PlanInput, splitWords } from '../../src/bench/run-plan.js';

const SH = parseShell(undefined, false);
const plan = (over: Partial<PlanInput>) =>
  planBenchmarks({ commands: ['a'], names: [], shell: SH, parameters: [], reference: null, setup: null, prepare: [], conclude: [], cleanup: null, output: [], ...over });

describe('what bench run benchmarks, from hyperfine\'s command line', () => {
  it('runs each command by sh -c, or by the --shell given, or split into words with -N', () => {
    expect(commandLine('sleep 0.1; true', SH)).toEqual({ file: 'sh', args: ['-c', 'sleep 0.1; true'], text: 'sleep 0.1; true' });
    expect(commandLine('x', parseShell('bash --norc', false))).toMatchObject({ file: 'bash', args: ['--norc', '-c', 'x'] });
    expect(commandLine('grep -i "to do" \'a b\' c\\ d', parseShell(undefined, true))).toMatchObject({ file: 'grep', args: ['-i', 'to do', 'a b', 'c d'] });
    expect(parseShell('none', false)).toEqual({ kind: 'none' });
    expect(parseShell('default', false)).toEqual(SH);
  });

  it('splits words as a POSIX shell does, and says where a quote is left open', () => {
    expect(splitWords(`a "b \\"c\\" \\$d" '' e`, 'x')).toEqual(['a', 'b "c" $d', '', 'e']);
    expect(() => splitWords('echo "open', '-N')).toThrow(/unterminated "/);
    expect(() => splitWords("echo 'open", '-N')).toThrow(/unterminated '/);
  });

  it('parameters: for each value every command (value-major), named by -n with {VAR} replaced, the first name standing for all', () => {
    const t = plan({ commands: ['echo {n}', 'echo b{n}'], names: ['x {n}'], parameters: [scanParameter('n', '1', '2', null)] });
    expect(t.map((x) => [x.command.text, x.name, x.parameters])).toEqual([
      ['echo 1', 'x 1', { n: '1' }],
      ['echo b1', 'x 1', { n: '1' }],
      ['echo 2', 'x 2', { n: '2' }],
      ['echo b2', 'x 2', { n: '2' }],
    ]);
  });

  it('names: one per command in order, the rest by their command; more names than commands is an error', () => {
    expect(plan({ commands: ['a', 'b'], names: ['one'] }).map((t) => t.name)).toEqual(['one', 'b']);
    expect(() => plan({ commands: ['a'], names: ['one', 'two'] })).toThrow(/--command-name is given 2 times, for 1 command/);
  });

  it('--prepare, --conclude and --output: once for all, or once per command, else an error', () => {
    const each = plan({ commands: ['a', 'b'], prepare: ['p1', 'p2'], conclude: ['c'], output: ['pipe', '/tmp/out'] });
    expect(each.map((t) => [t.prepare?.text, t.conclude?.text, t.output])).toEqual([
      ['p1', 'c', { kind: 'pipe' }],
      ['p2', 'c', { kind: 'file', path: '/tmp/out' }],
    ]);
    expect(() => plan({ commands: ['a', 'b', 'c'], prepare: ['p1', 'p2'] })).toThrow(/--prepare is given 2 times: give it once for all commands, or once for each of the 3/);
    expect(plan({}).map((t) => t.output)).toEqual([{ kind: 'null' }]);
  });

  it('--setup, --prepare and the rest get the parameters too', () => {
    const [t] = plan({ commands: ['run {m}'], setup: 'build {m}', prepare: ['warm {m}'], cleanup: 'rm {m}', parameters: [listParameter('m', 'gcc')] });
    expect([t!.setup?.text, t!.prepare?.text, t!.cleanup?.text]).toEqual(['build gcc', 'warm gcc', 'rm gcc']);
  });

  it('--reference runs first, as itself, with what is given once for all', () => {
    const t = plan({ commands: ['a', 'b'], reference: 'ref', prepare: ['p'], names: ['A'] });
    expect(t.map((x) => [x.name, x.reference, x.prepare?.text])).toEqual([
      ['ref', true, 'p'],
      ['A', false, 'p'],
      ['b', false, 'p'],
    ]);
  });
});
