import { describe, expect, it } from 'vitest';
import { parsePmon, parsePmonLine, pmonColumns } from '../../src/sampler/nvidia-smi/pmon.js';
import { h100 } from '../helpers/fixtures.js';

describe('pmon', () => {
  it('reads the real capture: %SM and memory bandwidth per process, `-` as not available', () => {
    const rows = parsePmon(h100('pmon.load.txt'));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ gpuIndex: 0, pid: 912, smPercent: 77, memoryBandwidthPercent: 25, unknown: {} });
    expect(rows[1]).toEqual({ gpuIndex: 0, pid: 913, smPercent: null, memoryBandwidthPercent: null, unknown: { smPercent: 'not_available', memoryBandwidthPercent: 'not_available' } });
    expect(rows[4]).toMatchObject({ pid: 912, smPercent: 98, memoryBandwidthPercent: 32 });
  });

  it('finds columns by name, and skips GPUs without processes and other lines', () => {
    const cols = pmonColumns('# gpu         pid   type    mem     sm   command')!;
    expect(parsePmonLine('    1       4242     C     10     90   python3', cols)).toMatchObject({ gpuIndex: 1, pid: 4242, smPercent: 90, memoryBandwidthPercent: 10 });
    expect(parsePmonLine('    0          -     -      -      -    -', cols)).toBeNull();
    expect(parsePmonLine('# Idx           #    C/G      %      %    name', cols)).toBeNull();
    expect(pmonColumns('Segmentation fault')).toBeNull();
    expect(parsePmon('garbage\nmore garbage\n')).toEqual([]);
  });
});
