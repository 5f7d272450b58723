import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compareResults, type LoadedFile, MixedKinds, NotAResult } from '../../../bench/compare.js';
import { loadSettings } from '../../../config/settings-file.js';
import { renderCompareMarkdown, renderCompareText } from '../../../views/text/compare-table.js';
import type { BenchCompareFlags } from './flags.js';
import { CliError, EXIT, UsageError } from '../../../exit-status.js';
import type { Stdout } from '../../shared/io.js';

function load(path: string, label: string): LoadedFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
    throw new CliError(`cannot read ${path}: ${why}`, EXIT.cannotRead);
  }
  try {
    return { path, label, doc: JSON.parse(text) };
  } catch (e) {
    throw new CliError(`${path} is not JSON (${(e as Error).message})`, EXIT.unreadable);
  }
}

/** `gpumon bench compare`. Returns the exit status. */
export async function benchCompare(files: string[], opts: BenchCompareFlags, stdout: Stdout, env: NodeJS.ProcessEnv): Promise<number> {
  if (opts.json && opts.markdown) throw new UsageError('--json and --markdown cannot be used together');
  const labels = opts.label ?? [];
  if (labels.length > files.length) throw new UsageError(`--label given ${labels.length} times for ${files.length} files`);
  const loaded = files.map((f, i) => load(f, labels[i] ?? basename(f)));
  let comparison;
  try {
    comparison = compareResults(loaded);
  } catch (e) {
    if (e instanceof NotAResult || e instanceof MixedKinds) throw new CliError(e.message, EXIT.unreadable);
    throw e;
  }
  if (opts.json) stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else if (opts.markdown) stdout.write(renderCompareMarkdown(comparison));
  else {
    const width = stdout.isTTY ? (stdout.columns ?? 80) : Number(env.COLUMNS) || 80;
    stdout.write(renderCompareText(comparison, { width, ascii: opts.ascii === true || loadSettings(env).settings.ascii }));
  }
  return EXIT.ok;
}
