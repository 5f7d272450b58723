import { describe, expect, it } from 'vitest';
import { parseCudaVisibleDevices, selectGpus, unmatchedTokens } from '../../src/model/select.js';
import { demoSnapshot, loadRecording } from '../../src/sampler/demo.js';

const snap = demoSnapshot(loadRecording('8xh100'), 20_000, 0);

describe('CUDA_VISIBLE_DEVICES', () => {
  it('reads it as CUDA does', () => {
    expect(parseCudaVisibleDevices(undefined)).toBeNull();
    expect(parseCudaVisibleDevices('')).toEqual([]);
    expect(parseCudaVisibleDevices('0,2')).toEqual(['0', '2']);
    expect(parseCudaVisibleDevices('1,-1,2')).toEqual(['1']);
    expect(parseCudaVisibleDevices('GPU-83f940cf,3')).toEqual(['GPU-83f940cf', '3']);
    expect(parseCudaVisibleDevices('-1')).toEqual([]);
  });
});

describe('selectGpus', () => {
  it('keeps the chosen GPUs, in the chosen order, with their processes', () => {
    const s = selectGpus(snap, ['2', '0']);
    expect(s.gpus.map((g) => g.index)).toEqual([2, 0]);
    expect(s.processes.length).toBeGreaterThan(0);
    expect(s.processes.every((p) => p.gpuIndex === 0 || p.gpuIndex === 2)).toBe(true);
  });

  it('matches a UUID prefix and a bus id', () => {
    expect(selectGpus(snap, ['GPU-83f940cf-1e20-11a7-9070-127ab0ea4003']).gpus.map((g) => g.index)).toEqual([3]);
    expect(selectGpus(snap, ['28:00.0']).gpus.map((g) => g.index)).toEqual([1]);
  });

  it('null selects everything; unmatched tokens are reported', () => {
    expect(selectGpus(snap, null)).toBe(snap);
    expect(unmatchedTokens(snap, ['1', '9', 'GPU-ffff'])).toEqual(['9', 'GPU-ffff']);
  });
});
