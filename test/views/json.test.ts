import { describe, expect, it } from 'vitest';
import { demoSnapshot, loadRecording } from '../../src/sampler/demo.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { renderJson, snapshotJson } from '../../src/views/json.js';

const T = Date.UTC(2026, 10, 22, 11, 53, 41);
const snap = demoSnapshot(loadRecording('h100'), 20_000, T);

describe('--json', () => {
  it("has gpustat's keys, with numbers in gpustat's units", () => {
    const doc = JSON.parse(renderJson(snap, '1.2.3'));
    expect(doc).toMatchObject({ hostname: 'h100-demo', driver_version: '580.159.04', query_time: '2026-11-22T11:53:41.000Z', cuda_version: '13.0' });
    const [g] = doc.gpus;
    expect(g).toMatchObject({
      index: 0,
      uuid: 'GPU-83f940cf-1e20-11a7-9070-127ab0ea4091',
      name: 'NVIDIA H100 80GB HBM3',
      'temperature.gpu': expect.any(Number),
      'fan.speed': null,
      'utilization.gpu': 99,
      'utilization.enc': 0,
      'utilization.dec': 0,
      'power.draw': expect.any(Number),
      'enforced.power.limit': 700,
      'memory.used': 24191,
      'memory.total': 81559,
      // gpumon's own, beside gpustat's.
      'memory.free': 56889,
      pstate: 'P0',
      clocks_event_reasons: ['sw_power_cap'],
      unknown: { 'fan.speed': 'not_available' },
    });
    expect(g.processes[0]).toMatchObject({
      pid: 912,
      username: 'root',
      command: 'python3',
      full_command: ['python3', 'burn.py', '20', '20'],
      gpu_memory_usage: 21610,
      cpu_percent: 95.8,
      cpu_memory_usage: 724408 * 1024,
      sm_percent: 98,
      memory_bandwidth_percent: 32,
    });
    expect(g.processes[1]).toMatchObject({ sm_percent: null, unknown: { sm_percent: 'not_available' } });
  });

  it('writes null, never NaN or -1, for what is unknown', () => {
    const text = renderJson({ ...snap, gpus: [lostGpu(snap.gpus[0]!)] }, '1');
    expect(text).not.toMatch(/NaN|-1\b/);
    const g = JSON.parse(text).gpus[0];
    expect(g.lost).toBe(true);
    expect(g['utilization.gpu']).toBeNull();
    expect(g.unknown['utilization.gpu']).toBe('gpu_lost');
  });

  it('a lost GPU known only by its bus id has a null uuid', () => {
    const doc = snapshotJson({ ...snap, gpus: [lostGpu({ index: 1, uuid: '', name: null, pciBusId: '00000000:28:00.0' })] }, '1');
    expect((doc.gpus as { uuid: unknown }[])[0]!.uuid).toBeNull();
  });
});
