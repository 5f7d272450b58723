import { afterEach, describe, expect, it } from 'vitest';
import { GPU_WIRE, HOST_WIRE, PROCESS_WIRE, SNAPSHOT_WIRE, type WireSchema } from '../../src/model/wire.js';
import type { GpuSample } from '../../src/model/types.js';
import { NvidiaSmi } from '../../src/sampler/nvidia-smi/client.js';
import { parseSnapshotJson } from '../../src/sampler/remote-json.js';
import { sampleOnce } from '../../src/sampler/sample-once.js';
import { renderJson } from '../../src/views/json.js';
import { FAKE_SMI } from '../helpers/fixtures.js';

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('FAKE_SMI_')) delete process.env[k];
  Object.assign(process.env, saved);
});

/** A snapshot of the real H100 capture under load (two copies of the GPU, with its compute processes). */
async function captured() {
  Object.assign(process.env, { FAKE_SMI_SCENARIO: 'load', FAKE_SMI_GPUS: '2' });
  return sampleOnce(new NvidiaSmi(FAKE_SMI, 10_000));
}

/** As the document carries a value: numbers to two decimals. */
const asWritten = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v);

describe('the wire schema (model/wire.ts)', () => {
  it('every field of a real-capture snapshot, written by the view and read back by the reader, is equal', async () => {
    const s = await captured();
    expect(s.gpus).toHaveLength(2);
    expect(s.processes.length).toBeGreaterThan(0);
    const back = parseSnapshotJson(renderJson(s, '1.0.0'));
    for (const f of Object.keys(SNAPSHOT_WIRE) as (keyof typeof SNAPSHOT_WIRE)[]) expect(back[f], f).toEqual(s[f]);
    expect(back.gpus).toHaveLength(s.gpus.length);
    s.gpus.forEach((g, i) => {
      for (const f of Object.keys(GPU_WIRE) as (keyof typeof GPU_WIRE)[]) expect(back.gpus[i]![f], `gpus[${i}].${f}`).toEqual(asWritten(g[f]));
      expect(back.gpus[i]!.unknown).toEqual(g.unknown);
    });
    expect(back.processes).toHaveLength(s.processes.length);
    s.processes.forEach((p, i) => {
      const fields = Object.keys(PROCESS_WIRE).filter((f) => f !== 'command') as (keyof typeof PROCESS_WIRE & keyof typeof p)[];
      for (const f of fields) expect(back.processes[i]![f], `processes[${i}].${f}`).toEqual(asWritten(p[f]));
      expect(back.processes[i]!.unknown).toEqual(Object.fromEntries(Object.entries(p.unknown).filter(([k]) => k !== 'startTimeMs')));
    });
    for (const f of Object.keys(HOST_WIRE) as (keyof typeof HOST_WIRE)[]) expect(back.host[f], `host.${f}`).toEqual(asWritten(s.host[f]));
    expect(back.host.hostname).toBe(s.host.hostname);
  });

  it('names every field the sampler fills in', async () => {
    const s = await captured();
    const missing = (record: object, table: object, elsewhere: string[]) => Object.keys(record).filter((k) => !(k in table) && k !== 'unknown' && !elsewhere.includes(k));
    expect(missing(s.gpus[0]!, GPU_WIRE, [])).toEqual([]);
    expect(missing(s.processes[0]!, PROCESS_WIRE, [])).toEqual([]);
    expect(missing(s.host, HOST_WIRE, ['hostname'])).toEqual([]);
    expect(missing(s, SNAPSHOT_WIRE, ['gpus', 'processes', 'host'])).toEqual([]);
  });

  it('a model field the schema does not name fails to compile', () => {
    // @ts-expect-error GPU_WIRE has no entry for the new field (checked by `tsc --noEmit`).
    const schema: WireSchema<GpuSample & { readonly newField: number }, 'host'> = GPU_WIRE;
    expect(Object.keys(schema)).not.toContain('newField');
  });
});
