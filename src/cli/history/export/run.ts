import { closeSync, openSync, writeSync } from 'node:fs';
import { meta, readProcesses, readSamples, type StoredProcess } from '../../../db/query.js';
import { csvHeaderLine, csvLines, JSON_END, jsonSample, jsonStart } from '../../../views/report/export.js';
import { CliError, EXIT } from '../../../exit-status.js';
import { openRange } from '../open-db.js';
import type { ExportFlags } from './flags.js';

/** Opens --out for writing (73 when it cannot be), else stdout. */
export function openOutput(path: string | undefined): number {
  if (path === undefined) return 1;
  try {
    return openSync(path, 'w');
  } catch (e) {
    throw new CliError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, EXIT.cannotWrite);
  }
}

/** Buffers writes into large chunks: millions of rows, one syscall per 64 KB. */
function bufferedWriter(fd: number) {
  let pending = '';
  const flush = () => {
    if (pending) writeSync(fd, pending);
    pending = '';
  };
  return {
    write(text: string) {
      pending += text;
      if (pending.length >= 65_536) flush();
    },
    flush,
  };
}

/** `gpumon export`: samples in the range as CSV or JSON, to stdout or --out. */
export async function runExport(opts: ExportFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const { db, range } = await openRange(opts, env);
  try {
    const fd = openOutput(opts.out);
    const out = bufferedWriter(fd);
    try {
      if (opts.format === 'csv') {
        out.write(csvHeaderLine());
        for (const s of readSamples(db, range)) out.write(csvLines(s));
      } else {
        out.write(jsonStart({ hostname: meta(db).hostname ?? null, from: range.from, to: range.to, spans: range.spans }));
        const processes = readProcesses(db, range);
        let next = processes.next();
        let first = true;
        for (const s of readSamples(db, range)) {
          // Both are in time order: take this sample's processes off the front.
          const mine: StoredProcess[] = [];
          while (!next.done && next.value.time <= s.time) {
            if (next.value.time === s.time) mine.push(next.value);
            next = processes.next();
          }
          out.write(jsonSample(s, mine, first));
          first = false;
        }
        out.write(JSON_END);
      }
      out.flush();
    } finally {
      if (fd !== 1) closeSync(fd);
    }
  } finally {
    db.close();
  }
}
