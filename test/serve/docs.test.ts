import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_LIMITS } from '../../src/model/alerts.js';
import { type GpumonServer, startServer } from '../../src/serve/server.js';
import { fetchText, ManualSource } from '../helpers/serve.js';
import { demoAt, withProcesses } from '../helpers/snapshots.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const dashboard = JSON.parse(readFileSync(join(DOCS, 'grafana-dashboard.json'), 'utf8'));

/** Every PromQL expression in the dashboard: panel targets and template variable queries. */
function expressions(): string[] {
  const targets: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
  const variables: string[] = dashboard.templating.list
    .filter((v: { type: string }) => v.type === 'query')
    .map((v: { query: string }) => /^label_values\((.*), \w+\)$/.exec(v.query)![1]!);
  return [...targets, ...variables].map((e) => e.replaceAll('$hostname', '.*').replaceAll('$gpu', '.*'));
}

let server: GpumonServer | null = null;
afterAll(() => server?.close());

describe('docs/: the Grafana dashboard and the Prometheus scrape config', () => {
  it('every metric the dashboard queries is in gpumon’s /metrics', async () => {
    const s = withProcesses(demoAt('8xh100'), 2);
    server = await startServer(new ManualSource(s), s, { host: '127.0.0.1', port: 0, version: '1', exposeProcesses: false, alertLimits: DEFAULT_ALERT_LIMITS });
    const { body } = await fetchText(`${server.url}/metrics`);
    const served = new Set(body.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    const queried = [...new Set(expressions().flatMap((e) => e.match(/gpumon_[a-z0-9_]+/g) ?? []))];
    expect(queried.length).toBeGreaterThan(10);
    expect(queried.filter((m) => !served.has(m))).toEqual([]);
  });

  it('every expression is valid PromQL (promtool check rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-rules-'));
    const rules = expressions().map((e, i) => `      - record: dashboard_expr_${i}\n        expr: ${JSON.stringify(e)}`);
    writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const r = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.status).toBe(0);
  });

  it('the scrape config is valid (promtool check config)', () => {
    const r = spawnSync('promtool', ['check', 'config', join(DOCS, 'prometheus.yml')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('is valid prometheus config file syntax');
    expect(r.status).toBe(0);
  });
});
