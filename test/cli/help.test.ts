import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-status.js';
import { SETTING_NAMES } from '../../src/config/settings.js';
import { gpumon, STACK_FRAME } from '../helpers/run-cli.js';

/** The documentation and the command line, kept in step: what one says, the other does. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
const CI_RUN = read('.ci/run');

/** Every Markdown file under docs/, as paths from the repository root. */
function docsFiles(dir = 'docs'): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? docsFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [relative(ROOT, join(ROOT, dir, e.name))] : [],
  );
}

/** The README and every Markdown file under docs/, by path: where the option tables may be. */
const DOCS = new Map<string, string>([['README.md', README], ...docsFiles().map((f): [string, string] => [f, read(f)])]);

/** One docs file's body under its `# Title` line, which must be its first line. */
function docBody(path: string, title: string): string {
  const text = read(path);
  expect(text.split('\n')[0], `${path} starts with its title`).toBe(`# ${title}`);
  return text;
}

/** The lines of one `Title:` section of commander's help (up to the next blank line). */
function helpSection(help: string, title: string): string[] {
  const start = help.split('\n').indexOf(`${title}:`);
  if (start < 0) return [];
  const rest = help.split('\n').slice(start + 1);
  return rest.slice(0, rest.indexOf('') < 0 ? rest.length : rest.indexOf(''));
}

/** Long options a command's --help lists (without --help, which every command has). */
function helpOptions(help: string): string[] {
  return helpSection(help, 'Options')
    .map((l) => /^ {2}(?:-\w, )?(--[a-z][a-z-]*)/.exec(l)?.[1])
    .filter((o): o is string => o !== undefined && o !== '--help');
}

/** Every command, found by walking the help from the root: ['gpumon'], ['gpumon', 'bench'], ['gpumon', 'bench', 'http'], ... */
function allCommands(): { path: string[]; help: string }[] {
  const found: { path: string[]; help: string }[] = [];
  const visit = (path: string[]) => {
    const r = gpumon([...path.slice(1), '--help']);
    expect(r.status, `${path.join(' ')} --help`).toBe(0);
    found.push({ path, help: r.stdout });
    for (const line of helpSection(r.stdout, 'Commands')) {
      const name = /^ {2}([a-z]+)\b/.exec(line)?.[1];
      if (name && name !== 'help') visit([...path, name]);
    }
  };
  visit(['gpumon']);
  return found;
}

/** The option tables, by the command their header names: | `gpumon bench run` option | meaning |, with the file each is in. */
function optionTables(): { tables: Map<string, { file: string; options: string[] }>; repeated: string[] } {
  const tables = new Map<string, { file: string; options: string[] }>();
  const repeated: string[] = [];
  for (const [file, text] of DOCS) {
    let current: string[] | null = null;
    for (const line of text.split('\n')) {
      const header = /^\| `(gpumon[a-z ]*)` option \|/.exec(line);
      if (header) {
        if (tables.has(header[1]!)) repeated.push(`${header[1]} in ${tables.get(header[1]!)!.file} and ${file}`);
        tables.set(header[1]!, { file, options: (current = []) });
      } else if (!line.startsWith('|')) current = null;
      else if (current && !line.startsWith('| ---')) current.push(...(line.split('|')[1]!.match(/--[a-z][a-z-]*/g) ?? []));
    }
  }
  return { tables, repeated };
}

const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();
const commands = allCommands();

describe('every command has a --help that fits', () => {
  it('finds every command (so a new one is checked too)', () => {
    const names = commands.map((c) => c.path.join(' '));
    for (const c of ['gpumon', 'gpumon bench http', 'gpumon bench run', 'gpumon bench compare', 'gpumon record', 'gpumon export', 'gpumon report', 'gpumon serve', 'gpumon config set', 'gpumon config reset'])
      expect(names).toContain(c);
  });

  it.each(commands.map((c) => [c.path.join(' '), c.help]))('%s --help: 100 columns at most, each option once', (_name, help) => {
    expect(help.split('\n').filter((l) => l.length > 100)).toEqual([]);
    const options = helpOptions(help);
    expect(options).toEqual([...new Set(options)]);
  });
});

describe('the documentation and the command line agree', () => {
  const { tables, repeated } = optionTables();

  it('reads the README and the docs files', () => {
    expect([...DOCS.keys()]).toEqual(expect.arrayContaining(['README.md', 'docs/exit-status.md', 'docs/settings.md']));
  });

  it.each(commands.map((c) => [c.path.join(' '), c.help]))('%s: its option table lists exactly the options --help lists', (name, help) => {
    const options = helpOptions(help);
    if (options.length === 0) expect(tables.has(name), `${name} has no options, and no table`).toBe(false);
    else expect(sorted(tables.get(name)?.options ?? []), `| \`${name}\` option | in ${tables.get(name)?.file ?? 'README.md or docs/*.md'}`).toEqual(sorted(options));
  });

  it('has no option table for a command that does not exist, and one table per command', () => {
    const names = new Set(commands.map((c) => c.path.join(' ')));
    expect([...tables.keys()].filter((t) => !names.has(t))).toEqual([]);
    expect(tables.size).toBeGreaterThanOrEqual(8);
    expect(repeated).toEqual([]);
  });

  it('the exit status table has every status the code returns, once each, in order, and no other', () => {
    const section = docBody('docs/exit-status.md', 'Exit statuses');
    const listed = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    // Ended by a signal: 128 + its number (SIGHUP 1, SIGINT 2, SIGQUIT 3, SIGTERM 15), computed where the signal is caught.
    const returned = [...new Set<number>([...Object.values(EXIT), 129, 130, 131, 143])].sort((a, b) => a - b);
    expect(listed).toEqual(returned);
  });

  it('the settings table has every key, and no other', () => {
    const section = docBody('docs/settings.md', 'Settings');
    const rows = [...section.matchAll(/^\| `([a-z.]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim().replace(/^`(.*)`$/, '$1').replace('(none)', '')]);
    expect(rows.map(([key]) => key)).toEqual(SETTING_NAMES);
    // The defaults as `gpumon config` shows them in a fresh settings folder: `interval  1  (default)  ...`.
    const shown = gpumon(['config']).stdout.split('\n').flatMap((l) => {
      const m = /^(\S+) +(.*?) *\(default\)/.exec(l);
      return m ? [[m[1]!, m[2]!]] : [];
    });
    expect(rows).toEqual(shown);
  });

  it('the Usage block names every command', () => {
    const usage = /## Usage\n\n```\n([\s\S]*?)```/.exec(README)![1]!;
    for (const { path } of commands.filter((c) => c.path.length > 1)) expect(usage, path.join(' ')).toContain(path.slice(1).join(' '));
  });

  it('the quick start is two commands: gpumon on its demo data, and the tests as .ci/run runs them', () => {
    const block = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(README)![1]!;
    const lines = block.trim().split('\n').map((l) => l.replace(/#.*$/, '').trim());
    expect(lines).toEqual(['npm install && npx gpumon --demo', 'npm ci && npm test']);
    expect(CI_RUN).toContain('npm ci && npm test');
    const demo = gpumon(['--demo']);
    expect(demo.status).toBe(0);
    expect(demo.stdout).toContain('DEMO: 8 GPUs');
  });
});

describe('a bad command line: one error line, a pointer to that command’s help, exit 2', () => {
  it.each(commands.map((c) => [c.path.join(' '), c.path]))('%s --no-such-flag', (name, path) => {
    const r = gpumon([...path.slice(1), '--no-such-flag']);
    expect(r.status).toBe(2);
    // commander names a missing required option first (report --out) before an unknown one.
    expect(r.stderr).toMatch(new RegExp(`^error: (unknown option '--no-such-flag'|required option '[^']+' not specified)\n\\(see ${name} --help\\)\n$`));
  });

  it.each([
    [['nonsense'], "error: unknown command 'nonsense' (commands: bench, record, export, report, serve, config, select, wait)\n(see gpumon --help)\n"],
    [['config', 'bogus'], "error: unknown command 'config bogus' (commands: set, reset)\n(see gpumon config --help)\n"],
    [['config', 'set', 'interval', '1', 'extra'], "error: too many arguments for 'set'. Expected 2 arguments but got 3.\n(see gpumon config set --help)\n"],
    [['record', 'extra'], "error: too many arguments for 'record'. Expected 0 arguments but got 1.\n(see gpumon record --help)\n"],
    [['config', 'set', 'interval'], "error: missing required argument 'value'\n(see gpumon config set --help)\n"],
    [['config', 'set', 'interval', 'fast'], "gpumon: config set: interval: 'fast' is not allowed; use a number from 0.1 to 3600\n(see gpumon config set --help)\n"],
    [['bench', 'http', '--demo', '--goodput', 'fast'], "gpumon: --goodput: 'fast' is not METRIC:MS with a metric of ttft, tpot, e2el (e.g. ttft:500)\n(see gpumon bench http --help)\n"],
    [['serve', '--port', 'http'], "error: option '--port <port>' argument 'http' is invalid. --port: 'http' is not a port number (0 to 65535; 0 picks a free one)\n(see gpumon serve --help)\n"],
  ])('%o', (args, stderr) => {
    const r = gpumon(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(stderr);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
