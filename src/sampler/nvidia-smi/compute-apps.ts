import type { UnknownReason } from '../../model/types.js';
import { headerName, readNumber, readText, splitCsvLine } from './cells.js';

/** What `--query-compute-apps` says about one process on one GPU. */
export interface ComputeApp {
  readonly pid: number;
  readonly gpuUuid: string;
  readonly name: string | null;
  readonly gpuMemoryMiB: number | null;
  readonly unknown: { readonly name?: UnknownReason; readonly gpuMemoryMiB?: UnknownReason };
}

type AppColumn = 'pid' | 'name' | 'gpuMemoryMiB' | 'gpuUuid' | null;

/** The query gpumon sends; the order matters when reading noheader output. */
export const COMPUTE_APPS_QUERY = 'pid,process_name,used_gpu_memory,gpu_uuid';
const QUERY_COLUMNS: readonly AppColumn[] = ['pid', 'name', 'gpuMemoryMiB', 'gpuUuid'];

const HEADER: ReadonlyMap<string, AppColumn> = new Map<string, AppColumn>([
  ['pid', 'pid'],
  ['process_name', 'name'],
  ['name', 'name'],
  ['used_gpu_memory', 'gpuMemoryMiB'],
  ['used_memory', 'gpuMemoryMiB'],
  ['gpu_uuid', 'gpuUuid'],
]);

export interface ComputeAppsResult {
  readonly apps: ComputeApp[];
  readonly problems: string[];
}

/**
 * Parses `--query-compute-apps` CSV, with a header (`header: true`) or in the
 * column order of COMPUTE_APPS_QUERY. Process names are free text chosen by
 * whoever started the process (spaces, commas, Windows paths): the name is
 * read outside-in, so commas in it cannot shift the other columns.
 */
export function parseComputeAppsCsv(text: string, opts: { header?: boolean } = {}): ComputeAppsResult {
  const result: ComputeAppsResult = { apps: [], problems: [] };
  let plan: readonly AppColumn[] | undefined = opts.header ? undefined : QUERY_COLUMNS;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!plan) {
      plan = line.split(',').map((c) => HEADER.get(headerName(c)) ?? null);
      if (!plan.includes('pid') || !plan.includes('gpuUuid')) {
        result.problems.push(`not a --query-compute-apps header: ${line.trim()}`);
        return result;
      }
      continue;
    }
    const nameAt = plan.indexOf('name');
    const cells = splitCsvLine(line, plan.length, nameAt === -1 ? null : nameAt);
    const cell = (col: AppColumn) => {
      const i = plan!.indexOf(col);
      return i === -1 ? undefined : cells[i];
    };
    const pid = readNumber(cell('pid'));
    const uuid = readText(cell('gpuUuid'));
    if (pid.value === null || !Number.isInteger(pid.value) || pid.value <= 0 || uuid.value === null) {
      result.problems.push(`not a compute-apps row: ${line.trim()}`);
      continue;
    }
    const name = readText(cell('name'));
    const mem = readNumber(cell('gpuMemoryMiB'));
    const unknown: { name?: UnknownReason; gpuMemoryMiB?: UnknownReason } = {};
    if (name.value === null) unknown.name = name.reason;
    if (mem.value === null) unknown.gpuMemoryMiB = mem.reason;
    result.apps.push({ pid: pid.value, gpuUuid: uuid.value, name: name.value, gpuMemoryMiB: mem.value, unknown });
  }
  return result;
}
