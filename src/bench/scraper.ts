import http from 'node:http';
import https from 'node:https';
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
      const text = await get(this.url, Math.max(this.everyMs, 2000));
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

function get(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (t: string) => (body += t));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
  });
}
