import { describe, expect, it } from 'vitest';
import { decodeClockEventMask, encodeClockEventMask } from '../../src/model/clock-events.js';
import { readClockEventReasons } from '../../src/sampler/nvidia-smi/clock-events.js';
import { GPU_FIELDS, GpuFieldSet, gpuFieldForHeader, rejectedFieldName } from '../../src/sampler/nvidia-smi/gpu-fields.js';
import { type GpuColumn, lostGpu, normalizeBusId, parseQueryGpuCsv } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { h100, H100_UUID } from '../helpers/fixtures.js';

/** Columns for noheader output of the given query names. */
function columnsFor(query: string): GpuColumn[] {
  return query.split(',').map((name) => gpuFieldForHeader(name) ?? null);
}

const CORE = h100('query-gpu.core.fields.txt').trim();

describe('parseQueryGpuCsv on real H100 output', () => {
  it('reads every field of the full idle query, header and units included', () => {
    const { rows, problems } = parseQueryGpuCsv(h100('query-gpu.idle.csv'));
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row!.driverVersion).toBe('580.159.04');
    expect(row!.timestamp).toBe('2026/11/22 11:45:30.129');
    expect(row!.sample).toMatchObject({
      index: 0,
      uuid: H100_UUID,
      name: 'NVIDIA H100 80GB HBM3',
      pciBusId: '00000000:00:06.0',
      lost: false,
      utilizationGpu: 0,
      memoryUsedMiB: 0,
      memoryTotalMiB: 81559,
      memoryFreeMiB: 81079,
      temperatureGpuC: 38,
      temperatureMemoryC: 41,
      fanSpeedPercent: null,
      powerDrawW: 72.28,
      powerDrawInstantW: 72.77,
      powerLimitW: 700,
      // `clocks.sm` comes back as `clocks.current.sm [MHz]`.
      clockSmMHz: 345,
      clockMemMHz: 2619,
      clockMaxSmMHz: 1980,
      pstate: 'P0',
      // The header names clocks_event_reasons.active twice; both columns read.
      clockEventReasons: ['gpu_idle'],
      eccErrorsUncorrectedVolatile: 0,
      migEnabled: false,
      persistenceMode: true,
      computeMode: 'Default',
    });
    // The passively cooled card has no fan: null, with the reason.
    expect(row!.sample.unknown).toEqual({ fanSpeedPercent: 'not_available' });
  });

  it('reads noheader,nounits output by the query order, idle and under load', () => {
    const idle = parseQueryGpuCsv(h100('query-gpu.core.idle.noheader-nounits.csv'), columnsFor(CORE));
    const load = parseQueryGpuCsv(h100('query-gpu.core.load.noheader-nounits.csv'), columnsFor(CORE));
    expect(idle.problems).toEqual([]);
    expect(load.rows[0]!.sample).toMatchObject({ utilizationGpu: 99, memoryUsedMiB: 24191, powerDrawW: 698.81, clockSmMHz: 1395, clockEventReasons: ['sw_power_cap'] });
    expect(idle.rows[0]!.sample.clockEventReasons).toEqual(['gpu_idle']);
    // Fields the core query did not ask for are null because they were not asked.
    expect(idle.rows[0]!.sample.unknown.clockMaxSmMHz).toBe('field_unsupported');
  });

  it('reads the 250 ms series: 137 ticks, no problems, load in the middle', () => {
    const { rows, problems } = parseQueryGpuCsv(h100('query-gpu.series-250ms.csv'));
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(137);
    const util = rows.map((r) => r.sample.utilizationGpu);
    expect(util.every((u) => typeof u === 'number')).toBe(true);
    expect(Math.max(...(util as number[]))).toBe(100);
    expect(util[0]).toBe(0);
  });
});

const HEADER = 'index, uuid, name, pci.bus_id, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W], power.draw.instant [W], mig.mode.current';
const row = (i: number, rest = '37 %, 1000 MiB, 81559 MiB, 100.00 W, 101.00 W, Disabled') =>
  `${i}, GPU-0000000${i}-aaaa, NVIDIA H100 80GB HBM3, 00000000:${(0x18 + i * 16).toString(16).toUpperCase()}:00.0, ${rest}`;

describe('parseQueryGpuCsv on awkward output', () => {
  it('MIG mode: utilization is [N/A] and stays null, the rest is read', () => {
    const { rows } = parseQueryGpuCsv(`${HEADER}\n${row(0, '[N/A], 5000 MiB, 81559 MiB, 90.00 W, 91.00 W, Enabled')}\n`);
    expect(rows[0]!.sample).toMatchObject({ utilizationGpu: null, memoryUsedMiB: 5000, migEnabled: true });
    expect(rows[0]!.sample.unknown.utilizationGpu).toBe('not_available');
  });

  it('falls back to power.draw.instant when power.draw is [N/A]', () => {
    const { rows } = parseQueryGpuCsv(`${HEADER}\n${row(0, '0 %, 0 MiB, 81559 MiB, [N/A], 85.50 W, Disabled')}\n`);
    expect(rows[0]!.sample.powerDrawW).toBe(85.5);
    expect(rows[0]!.sample.unknown.powerDrawW).toBeUndefined();
  });

  it('an 8-GPU box missing a GPU yields the seven it lists', () => {
    const lines = [HEADER, ...[0, 1, 2, 4, 5, 6, 7].map((i) => row(i))];
    const { rows, problems } = parseQueryGpuCsv(lines.join('\n'));
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.sample.index)).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });

  it('a row with too few cells keeps what it has and is reported', () => {
    const { rows, problems } = parseQueryGpuCsv(`${HEADER}\n0, GPU-00000000-aaaa, NVIDIA H100, 00000000:18:00.0, 37 %\n`);
    expect(rows[0]!.sample.utilizationGpu).toBe(37);
    expect(rows[0]!.sample.unknown.memoryUsedMiB).toBe('missing_cell');
    expect(problems[0]).toMatch(/expected 10 cells, got 5/);
  });

  it('a row with extra commas gives them to the GPU name, not to the numbers', () => {
    const { rows } = parseQueryGpuCsv(`${HEADER}\n0, GPU-1, NVIDIA H100, Special, Edition, 00000000:18:00.0, 37 %, 1000 MiB, 81559 MiB, 100.00 W, 101.00 W, Disabled\n`);
    expect(rows[0]!.sample).toMatchObject({ name: 'NVIDIA H100, Special, Edition', utilizationGpu: 37, powerDrawW: 100 });
  });

  it('lines that are not rows are reported, never thrown', () => {
    const { rows, problems } = parseQueryGpuCsv(`${HEADER}\nSegmentation fault\n${row(1)}\n`);
    expect(rows.map((r) => r.sample.index)).toEqual([1]);
    expect(problems).toEqual(['row without a GPU index: Segmentation fault']);
  });

  it('a GPU whose cells say [GPU is lost] is lost, with every metric null', () => {
    const lost = '[GPU is lost], [GPU is lost], [GPU is lost], [GPU is lost], [GPU is lost], [GPU is lost]';
    const { rows } = parseQueryGpuCsv(`${HEADER}\n${row(0, lost)}\n`);
    const g = rows[0]!.sample;
    expect(g.lost).toBe(true);
    expect(g.utilizationGpu).toBeNull();
    expect(g.unknown.memoryTotalMiB).toBe('gpu_lost');
  });

  it('reads "Unable to determine the device handle" lines as unreachable GPUs, with their place', () => {
    const text = `${HEADER}\n${row(0)}\nUnable to determine the device handle for GPU0000:28:00.0: GPU is lost.  Reboot the system to recover this GPU\n${row(2)}\n`;
    const { rows, unreachable } = parseQueryGpuCsv(text);
    expect(rows).toHaveLength(2);
    expect(unreachable).toEqual([{ busId: '00000000:28:00.0', message: 'GPU is lost.  Reboot the system to recover this GPU', position: 1 }]);
  });

  it('rejects a header that is not a --query-gpu header', () => {
    expect(parseQueryGpuCsv('foo, bar\n1, 2\n').problems[0]).toMatch(/not a --query-gpu header/);
  });
});

describe('clock event reasons', () => {
  it('decodes the bitmask into names', () => {
    expect(decodeClockEventMask(0x0)).toEqual([]);
    expect(decodeClockEventMask(0x1)).toEqual(['gpu_idle']);
    expect(decodeClockEventMask(0x4)).toEqual(['sw_power_cap']);
    expect(decodeClockEventMask(0x68)).toEqual(['hw_slowdown', 'sw_thermal_slowdown', 'hw_thermal_slowdown']);
    expect(decodeClockEventMask(0xff)).toHaveLength(8);
  });

  it('encodes names back into the same mask', () => {
    expect(encodeClockEventMask([])).toBe(0);
    expect(encodeClockEventMask(['hw_slowdown', 'sw_thermal_slowdown', 'hw_thermal_slowdown'])).toBe(0x68);
    for (const mask of [0x4, 0x90, 0x1ff]) expect(encodeClockEventMask(decodeClockEventMask(mask))).toBe(mask);
  });

  it('reads the hex cell, and refuses what is not hex', () => {
    expect(readClockEventReasons('0x0000000000000004')).toEqual({ value: ['sw_power_cap'] });
    expect(readClockEventReasons('0x0000000000000090')).toEqual({ value: ['sync_boost', 'hw_power_brake_slowdown'] });
    // Bits above 32 have no names yet: ignored, not misread.
    expect(readClockEventReasons('0x0000010000000004')).toEqual({ value: ['sw_power_cap'] });
    expect(readClockEventReasons('Active')).toEqual({ value: null, reason: 'unparseable' });
    expect(readClockEventReasons('[Not Supported]')).toEqual({ value: null, reason: 'not_supported' });
  });
});

describe('GpuFieldSet', () => {
  it('asks for every field the issue names', () => {
    const q = new GpuFieldSet().queryArgument();
    for (const f of ['index', 'uuid', 'utilization.encoder', 'power.draw', 'power.draw.instant', 'enforced.power.limit', 'clocks.max.sm', 'clocks_event_reasons.active', 'mig.mode.current', 'driver_version'])
      expect(q.split(',')).toContain(f);
  });

  it('moves a rejected field to its older name, then drops it, and remembers', () => {
    const set = new GpuFieldSet();
    expect(set.reject('clocks_event_reasons.active')).toMatchObject({ next: 'clocks_throttle_reasons.active' });
    expect(set.queryArgument()).toContain('clocks_throttle_reasons.active');
    expect(set.reject('clocks_throttle_reasons.active')).toMatchObject({ next: null });
    expect(set.queryArgument()).not.toContain('reasons');
    expect(set.reject('power.draw.instant')).toMatchObject({ next: null });
    expect(set.dropped().map((f) => f.key)).toEqual(['powerDrawInstantW', 'clockEventReasons']);
    expect(set.columns()).toHaveLength(GPU_FIELDS.length - 2);
  });

  it('will not drop index or uuid, nor learn from names it never asked for', () => {
    const set = new GpuFieldSet();
    expect(set.reject('index')).toBeNull();
    expect(set.reject('not.asked')).toBeNull();
    expect(set.queryArgument().startsWith('index,uuid,')).toBe(true);
  });

  it('reads the rejected name from the real error message', () => {
    const errors = h100('errors.txt');
    expect(rejectedFieldName(errors)).toBe('not.a.field');
    expect(rejectedFieldName('all good')).toBeNull();
  });
});

describe('bus ids and lost GPUs', () => {
  it('normalises bus ids of either width and case', () => {
    expect(normalizeBusId('0000:3B:00.0')).toBe(normalizeBusId('00000000:3b:00.0'));
  });

  it('a lost GPU keeps its identity and nulls every metric', () => {
    const g = lostGpu({ index: 3, uuid: 'GPU-3', name: 'H100', pciBusId: '00000000:48:00.0' });
    expect(g).toMatchObject({ index: 3, uuid: 'GPU-3', lost: true, utilizationGpu: null, powerDrawW: null });
    expect(Object.values(g.unknown).every((r) => r === 'gpu_lost')).toBe(true);
    expect(Object.values(g).some((v) => typeof v === 'number' && Number.isNaN(v))).toBe(false);
  });
});
