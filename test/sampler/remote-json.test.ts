import { describe, expect, it } from 'vitest';
import { parseSnapshotJson, SnapshotFormatError } from '../../src/sampler/remote-json.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { renderJson, snapshotJson } from '../../src/views/json.js';
import type { Snapshot } from '../../src/model/types.js';
import { demoAt, withProcesses } from '../helpers/snapshots.js';

/** The model as the document carries it: numbers to two decimals, processes under a GPU of the snapshot. */
function asDocumentHasIt(s: Snapshot): Snapshot {
  const r = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v);
  const round = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === 'unknown' ? v : r(v)])) as T;
  const processes = s.gpus.flatMap((g) => s.processes.filter((p) => p.gpuUuid === g.uuid)).map(round);
  return { ...s, gpus: s.gpus.map(round), processes, host: { ...s.host, cpuPercent: r(s.host.cpuPercent) as number, uptimeSeconds: r(s.host.uptimeSeconds) as number } };
}

describe('the --json document read back (views/json.ts inverse)', () => {
  const cases: Record<string, Snapshot> = {
    'one H100 under load': demoAt('h100', 20_000),
    '8 GPUs with 5 processes each': withProcesses(demoAt('8xh100', 20_000), 5),
    'a lost GPU, stale data and notes': (() => {
      const s = demoAt('8xh100', 20_000);
      return { ...s, gpus: [s.gpus[0]!, lostGpu(s.gpus[1]!)], stale: { since: s.time - 5000, reason: 'nvidia-smi stopped answering' }, notes: ['a note'] };
    })(),
  };
  for (const [name, s] of Object.entries(cases)) {
    it(`round-trips: ${name}`, () => {
      const back = parseSnapshotJson(renderJson(s, '1.0.0'));
      expect(back).toEqual(asDocumentHasIt(s));
      // And the document of what was read is the document it was read from.
      expect(snapshotJson(back, '1.0.0')).toEqual(snapshotJson(s, '1.0.0'));
    });
  }

  it('says what is wrong with a document that is not a snapshot', () => {
    const doc = snapshotJson(demoAt('h100'), '1');
    const bad = (d: unknown) => () => parseSnapshotJson(typeof d === 'string' ? d : JSON.stringify(d));
    expect(bad('{"hostname": "x", ')).toThrow(/not JSON/);
    expect(bad([])).toThrow(/not a JSON object/);
    expect(bad({ ...doc, gpus: undefined })).toThrow(/no 'gpus' list/);
    expect(bad({ ...doc, query_time: 'yesterday' })).toThrow(/query_time is not an ISO time/);
    expect(bad({ ...doc, gpus: [{ ...(doc.gpus as object[])[0], 'memory.used': { a: 1 } }] })).toThrow(SnapshotFormatError);
    expect(bad({ ...doc, gpus: [{ ...(doc.gpus as object[])[0], 'memory.used': '24191' }] })).toThrow(`gpus[0] 'memory.used' should be a number, not "24191"`);
    expect(bad({ ...doc, gpus: [{ ...(doc.gpus as object[])[0], lost: 'no' }] })).toThrow(/'lost' should be a boolean/);
    expect(bad({ ...doc, source: { kind: 'nvml' } })).toThrow(/source/);
  });
});
