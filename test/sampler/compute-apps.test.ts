import { describe, expect, it } from 'vitest';
import { parseComputeAppsCsv } from '../../src/sampler/nvidia-smi/compute-apps.js';
import { parseSmiVersion } from '../../src/sampler/nvidia-smi/version.js';
import { h100, H100_UUID } from '../helpers/fixtures.js';

describe('parseComputeAppsCsv', () => {
  it('reads the real capture with its header (other columns, other order)', () => {
    const { apps, problems } = parseComputeAppsCsv(h100('compute-apps.load.csv'), { header: true });
    expect(problems).toEqual([]);
    expect(apps).toEqual([
      { pid: 912, gpuUuid: H100_UUID, name: 'python3', gpuMemoryMiB: 21610, unknown: {} },
      { pid: 913, gpuUuid: H100_UUID, name: 'python3', gpuMemoryMiB: 2566, unknown: {} },
    ]);
  });

  it('reads the real noheader,nounits capture in the query order', () => {
    const { apps } = parseComputeAppsCsv(h100('compute-apps.load.noheader-nounits.csv'));
    expect(apps.map((a) => [a.pid, a.gpuMemoryMiB])).toEqual([
      [912, 21610],
      [913, 2566],
    ]);
  });

  it('no processes: a header and no rows', () => {
    expect(parseComputeAppsCsv(h100('compute-apps.idle.csv'), { header: true })).toEqual({ apps: [], problems: [] });
    expect(parseComputeAppsCsv('')).toEqual({ apps: [], problems: [] });
  });

  it('names with spaces, commas and Windows paths keep the other columns in place', () => {
    const text = [
      '4001, python3 my train.py, 1024, GPU-a',
      '4002, C:\\Program Files\\App, Inc\\app.exe, [N/A], GPU-a',
      '4003, [Not Found], 512, GPU-a',
      '4004, weird,name,,with commas, 256, GPU-b',
    ].join('\n');
    const { apps, problems } = parseComputeAppsCsv(text);
    expect(problems).toEqual([]);
    expect(apps).toEqual([
      { pid: 4001, gpuUuid: 'GPU-a', name: 'python3 my train.py', gpuMemoryMiB: 1024, unknown: {} },
      { pid: 4002, gpuUuid: 'GPU-a', name: 'C:\\Program Files\\App, Inc\\app.exe', gpuMemoryMiB: null, unknown: { gpuMemoryMiB: 'not_available' } },
      { pid: 4003, gpuUuid: 'GPU-a', name: null, gpuMemoryMiB: 512, unknown: { name: 'not_found' } },
      { pid: 4004, gpuUuid: 'GPU-b', name: 'weird,name,,with commas', gpuMemoryMiB: 256, unknown: {} },
    ]);
  });

  it('rows without a pid or GPU are reported and skipped', () => {
    const { apps, problems } = parseComputeAppsCsv('abc, python3, 10, GPU-a\n7, x\n8, python3, 10, GPU-a\n');
    expect(apps.map((a) => a.pid)).toEqual([8]);
    expect(problems).toHaveLength(2);
  });
});

describe('parseSmiVersion', () => {
  it('reads the real --version output', () => {
    expect(parseSmiVersion(h100('version.txt'))).toEqual({ driverVersion: '580.159.04', cudaVersion: '13.0' });
  });

  it('reads driver 610 names (KMD version, CUDA UMD version)', () => {
    const text = 'NVIDIA-SMI version  : 610.10\nNVML version        : 610.10\nKMD version         : 610.10\nCUDA UMD version    : 13.2\n';
    expect(parseSmiVersion(text)).toEqual({ driverVersion: '610.10', cudaVersion: '13.2' });
  });

  it('unknown output gives nulls', () => {
    expect(parseSmiVersion('Invalid combination of input arguments.')).toEqual({ driverVersion: null, cudaVersion: null });
  });
});
