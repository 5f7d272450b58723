import { afterEach, describe, expect, it } from 'vitest';
import { GpuWatch } from '../../src/bench/gpu-watch.js';
import { DemoSource, loadRecording } from '../../src/sampler/demo.js';

describe('GpuWatch', () => {
  let source: DemoSource | null = null;
  afterEach(() => source?.stop());

  it('measures an idle baseline, then a span, from a live source', async () => {
    // The h100 recording is idle for its first 10 s, at about 72 W.
    source = new DemoSource(loadRecording('h100'), { intervalMs: 50, selection: null });
    await source.start();
    const watch = new GpuWatch(source);
    const [idle] = await watch.idleBaseline(400);
    expect(idle!.powerW).toBeGreaterThan(70);
    expect(idle!.powerW).toBeLessThan(75);
    expect(idle!.seconds).toBeGreaterThan(0.2);

    watch.begin();
    // Four snapshots into the span, however long the machine takes to deliver them.
    await new Promise<void>((r) => {
      let seen = 0;
      const off = source!.subscribe(() => {
        if (++seen < 4) return;
        off();
        r();
      });
    });
    const [g] = watch.end();
    expect(g!.samples).toBeGreaterThanOrEqual(4);
    expect(g!.energyJ).toBeGreaterThan(0);
    expect(watch.end()).toEqual([]); // a span ends once
    watch.close();
  });
});
