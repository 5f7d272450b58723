import { isSevereSlowdown, memoryPercent, processesOf, slowdowns } from './derive.js';
import type { GpuSample, Snapshot } from './types.js';

/**
 * Alert rules as pure functions of snapshots. A rule is a condition on one
 * GPU; rules with a duration fire only once their condition has held
 * without a break for that long, which needs state across snapshots: the
 * AlertEvaluator keeps it, on the snapshots' own clock (`Snapshot.time`),
 * so it is tested with made-up times and never reads a clock itself.
 */

export type Severity = 'warning' | 'critical';

export const ALERT_RULES = ['temperature', 'memory', 'slowdown', 'ecc', 'gpu_lost', 'idle_memory'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** What the rules are judged against (from settings; see DEFAULT_ALERT_LIMITS). */
export interface AlertLimits {
  /** °C; the GPU core temperature above which `temperature` starts counting. */
  readonly temperatureC: number;
  /** Seconds the temperature must stay above the limit. */
  readonly temperatureForSeconds: number;
  /** % of memory used above which `memory` fires. */
  readonly memoryPercent: number;
  /** Minutes a GPU may hold process memory at 0% utilization before `idle_memory` fires. */
  readonly idleMinutes: number;
}

export const DEFAULT_ALERT_LIMITS: AlertLimits = { temperatureC: 85, temperatureForSeconds: 30, memoryPercent: 95, idleMinutes: 10 };

export const SEVERITY: Readonly<Record<AlertRule, Severity>> = {
  temperature: 'warning',
  memory: 'warning',
  slowdown: 'critical',
  ecc: 'critical',
  gpu_lost: 'critical',
  idle_memory: 'warning',
};

/** One firing alert on one GPU. */
export interface Alert {
  readonly rule: AlertRule;
  readonly severity: Severity;
  readonly gpuIndex: number;
  readonly gpuUuid: string;
  /** ms since the epoch when the condition began (as far as the evaluator has seen). */
  readonly since: number;
  readonly message: string;
}

/** A firing alert as the views show it: the host it is on ('' for this one), the GPU, what. */
export interface AlertLine {
  readonly severity: Severity;
  readonly host: string;
  readonly gpuIndex: number | null;
  readonly rule: string;
  readonly message: string;
}

/** A rule's condition at one instant: null when it does not hold, else what to say. */
type Condition = (g: GpuSample, s: Snapshot, limits: AlertLimits) => string | null;

const CONDITIONS: Readonly<Record<AlertRule, Condition>> = {
  temperature: (g, _s, l) => (g.temperatureGpuC !== null && g.temperatureGpuC > l.temperatureC ? `temperature ${g.temperatureGpuC}°C over ${l.temperatureC}°C` : null),
  memory: (g, _s, l) => {
    const p = memoryPercent(g);
    return p !== null && p > l.memoryPercent ? `memory ${p.toFixed(1)}% used, over ${l.memoryPercent}%` : null;
  },
  slowdown: (g) => {
    const severe = slowdowns(g).filter(isSevereSlowdown);
    return severe.length ? `clocks slowed: ${severe.join(', ')}` : null;
  },
  ecc: (g) => (g.eccErrorsUncorrectedVolatile ? `${g.eccErrorsUncorrectedVolatile} uncorrected ECC error${g.eccErrorsUncorrectedVolatile === 1 ? '' : 's'}` : null),
  gpu_lost: (g) => (g.lost ? 'GPU lost (fallen off the bus?)' : null),
  idle_memory: (g, s) => {
    const held = processesOf(s.processes, g).reduce((n, p) => n + (p.gpuMemoryMiB ?? 0), 0);
    return g.utilizationGpu === 0 && held > 0 ? `idle with ${held} MiB held by processes` : null;
  },
};

/** How long each rule's condition must hold before it fires, in ms. */
function holdMs(rule: AlertRule, l: AlertLimits): number {
  if (rule === 'temperature') return l.temperatureForSeconds * 1000;
  if (rule === 'idle_memory') return l.idleMinutes * 60_000;
  return 0;
}

/** Whether the rule needs its condition to last (and so cannot be judged on one instant). */
export function hasDuration(rule: AlertRule, l: AlertLimits): boolean {
  return holdMs(rule, l) > 0;
}

const gpuKey = (g: GpuSample) => g.uuid || `index:${g.index}`;

const BY_SEVERITY = (a: Alert, b: Alert) => (a.severity === b.severity ? a.gpuIndex - b.gpuIndex : a.severity === 'critical' ? -1 : 1);

/**
 * Fed snapshots in time order, says which alerts fire at each. A condition
 * that stops holding (or a GPU that leaves the snapshot) starts again from
 * zero the next time.
 */
export class AlertEvaluator {
  /** `${rule} ${gpu}` -> when its condition began to hold. */
  private readonly holding = new Map<string, number>();

  constructor(private readonly limits: AlertLimits = DEFAULT_ALERT_LIMITS) {}

  feed(s: Snapshot): Alert[] {
    const alerts: Alert[] = [];
    const seen = new Set<string>();
    for (const g of s.gpus) {
      for (const rule of ALERT_RULES) {
        const message = CONDITIONS[rule](g, s, this.limits);
        if (message === null) continue;
        const key = `${rule} ${gpuKey(g)}`;
        seen.add(key);
        const since = this.holding.get(key) ?? s.time;
        this.holding.set(key, since);
        if (s.time - since >= holdMs(rule, this.limits)) alerts.push({ rule, severity: SEVERITY[rule], gpuIndex: g.index, gpuUuid: g.uuid, since, message });
      }
    }
    for (const key of this.holding.keys()) if (!seen.has(key)) this.holding.delete(key);
    return alerts.sort(BY_SEVERITY);
  }
}

/**
 * The alerts of one snapshot on its own (`--once --check`): a rule with a
 * duration is judged as if its condition had held that long, since one
 * instant cannot say.
 */
export function alertsAtInstant(s: Snapshot, limits: AlertLimits = DEFAULT_ALERT_LIMITS): Alert[] {
  return new AlertEvaluator({ ...limits, temperatureForSeconds: 0, idleMinutes: 0 }).feed(s);
}

/** The worst severity among the alerts, or null for none. */
export function worstSeverity(alerts: readonly { readonly severity: Severity }[]): Severity | null {
  if (alerts.length === 0) return null;
  return alerts.some((a) => a.severity === 'critical') ? 'critical' : 'warning';
}
