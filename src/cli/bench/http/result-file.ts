import { writeFileSync } from 'node:fs';
import type { HttpBenchResult } from '../../../bench/http-bench.js';
import { CliError, EXIT } from '../../../exit-status.js';

/** vLLM's file name: `http-10qps-concurrency32-llama-3.1-8b-20261201-120000.json`. */
export function defaultResultFilename(r: HttpBenchResult, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const dt = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const model = r.model_id.split('/').at(-1)!.replace(/[^A-Za-z0-9._-]/g, '_');
  return `http-${r.request_rate}qps${r.max_concurrency === null ? '' : `-concurrency${r.max_concurrency}`}-${model}-${dt}.json`;
}

/** Writes the result JSON (to vLLM's file name in the current folder unless given one); returns where. */
export function writeResult(result: HttpBenchResult, path = defaultResultFilename(result)): string {
  try {
    writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  } catch (e) {
    throw new CliError(`cannot write the result to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.cannotWrite);
  }
  return path;
}
