import { getText } from './get.js';
import { parsePrometheus } from './prometheus.js';
import { type ServerMetricsPoint, serverMetricsPoint, serverMetricsResult, type ServerMetricsResult } from './server-metrics.js';

/** Reads `url` (a Prometheus /metrics) every `everyMs` during a run; failures are counted, never thrown. */
export class MetricsScraper {
  private readonly points: ServerMetricsPoint[] = [];
  private failed = 0;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    readonly url: string,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    void this.scrape();
    this.timer = setInterval(() => void this.scrape(), this.everyMs);
  }

  latest(): ServerMetricsPoint | null {
    return this.points.at(-1) ?? null;
  }

  /** The error of the last failed scrape, while scrapes keep failing. */
  failing(): string | null {
    return this.lastError;
  }

  stop(): ServerMetricsResult {
    clearInterval(this.timer);
    return serverMetricsResult(this.url, this.points, this.failed, this.lastError);
  }

  private async scrape(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const text = await getText(this.url, Math.max(this.everyMs, 2000));
      this.points.push(serverMetricsPoint(parsePrometheus(text)));
      this.lastError = null;
    } catch (e) {
      this.failed++;
      this.lastError = (e as Error).message;
    } finally {
      this.busy = false;
    }
  }
}
