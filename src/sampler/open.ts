import type { GpuSelection } from '../model/select.js';
import { type DemoName, DemoSource, loadRecording } from './demo.js';
import type { SnapshotSource } from './source.js';

export interface OpenSourceOptions {
  readonly demo: DemoName | null;
  readonly smiPath: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly selection: GpuSelection;
  readonly selectionName?: string;
}

/**
 * The source every long-running mode reads (monitor, record, serve, bench):
 * the demo replay, or live nvidia-smi (loaded only then: it brings execa).
 */
export async function openSource(o: OpenSourceOptions): Promise<SnapshotSource> {
  if (o.demo) return new DemoSource(loadRecording(o.demo), { intervalMs: o.intervalMs, selection: o.selection });
  const [{ LiveSampler }, { NvidiaSmi }] = await Promise.all([import('./live-sampler.js'), import('./nvidia-smi/client.js')]);
  return new LiveSampler({
    smi: new NvidiaSmi(o.smiPath, o.timeoutMs),
    intervalMs: o.intervalMs,
    selection: o.selection,
    selectionName: o.selectionName,
  });
}
