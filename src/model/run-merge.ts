import type { GpuRunSummary } from './run-window.js';

/**
 * What each GPU did over several measured spans (the timing runs of `bench
 * run`, without what ran between them): energy and time add up, averages are
 * weighted by samples, peaks are the highest, clock-event seconds add up.
 */
export function mergeRunSummaries(spans: readonly (readonly GpuRunSummary[])[]): GpuRunSummary[] {
  const byUuid = new Map<string, GpuRunSummary[]>();
  for (const span of spans)
    for (const g of span) {
      const list = byUuid.get(g.uuid);
      if (list) list.push(g);
      else byUuid.set(g.uuid, [g]);
    }
  const weighted = (list: readonly GpuRunSummary[], pick: (g: GpuRunSummary) => number | null): number | null => {
    let sum = 0;
    let n = 0;
    for (const g of list) {
      const v = pick(g);
      if (v !== null) (sum += v * g.samples), (n += g.samples);
    }
    return n ? sum / n : null;
  };
  const peak = (list: readonly GpuRunSummary[], pick: (g: GpuRunSummary) => number | null): number | null => {
    const known = list.map(pick).filter((v): v is number => v !== null);
    return known.length ? Math.max(...known) : null;
  };
  return [...byUuid.values()]
    .map((list): GpuRunSummary => {
      const energies = list.map((g) => g.energyJ).filter((e): e is number => e !== null);
      const reasons: Record<string, number> = {};
      for (const g of list) for (const [r, s] of Object.entries(g.clockEventReasons)) reasons[r] = (reasons[r] ?? 0) + (s ?? 0);
      const first = list[0]!;
      return {
        index: first.index,
        uuid: first.uuid,
        name: list.find((g) => g.name !== null)?.name ?? null,
        samples: list.reduce((n, g) => n + g.samples, 0),
        avgUtilizationPercent: weighted(list, (g) => g.avgUtilizationPercent),
        peakUtilizationPercent: peak(list, (g) => g.peakUtilizationPercent),
        peakMemoryUsedMiB: peak(list, (g) => g.peakMemoryUsedMiB),
        avgPowerW: weighted(list, (g) => g.avgPowerW),
        peakPowerW: peak(list, (g) => g.peakPowerW),
        energyJ: energies.length ? energies.reduce((a, b) => a + b, 0) : null,
        energySeconds: list.reduce((s, g) => s + g.energySeconds, 0),
        powerField: list.find((g) => g.powerField !== null)?.powerField ?? null,
        clockEventReasons: reasons,
        throttledSeconds: list.reduce((s, g) => s + g.throttledSeconds, 0),
        lost: list.some((g) => g.lost),
      };
    })
    .sort((a, b) => a.index - b.index);
}
