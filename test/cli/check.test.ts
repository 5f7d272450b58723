import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_SMI } from '../helpers/fixtures.js';
import { gpumon, freshConfigDir } from '../helpers/run-cli.js';

function withSettings(settings: Record<string, unknown>): Record<string, string> {
  const dir = freshConfigDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify(settings));
  return { GPUMON_CONFIG_DIR: dir };
}

describe('gpumon --once --check', () => {
  it('no alert: OK, exit 0, and says the timed rules were judged on one instant', () => {
    const r = gpumon(['--check', '--demo', 'h100']);
    expect(r.stdout).toBe('OK: no alerts\nNote: on one snapshot, temperature and idle_memory are judged as if the condition had lasted.\n');
    expect(r.status).toBe(0);
  });

  it('a warning: exit 20, naming the host, the GPU and the rule', () => {
    const r = gpumon(['--once', '--check', '--demo', 'h100'], withSettings({ 'alerts.temperature': 50 }));
    expect(r.status).toBe(20);
    expect(r.stdout).toMatch(/^warning {3}h100-demo {2}GPU 0 {2}temperature: temperature \d+°C over 50°C$/m);
  });

  it('a GPU lost (the fake nvidia-smi replays a real lost-GPU answer): critical, exit 21', () => {
    const r = gpumon(['--check', '--nvidia-smi', FAKE_SMI], { FAKE_SMI_SCENARIO: 'lost', FAKE_SMI_GPUS: '2' });
    expect(r.stdout).toMatch(/^critical {2}\S+ {2}GPU \d {2}gpu_lost: GPU lost/m);
    expect(r.status).toBe(21);
  });

  it('--json: the alerts as a document', () => {
    const r = gpumon(['--check', '--json', '--demo'], withSettings({ 'alerts.memory': 20 }));
    expect(r.status).toBe(20);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('warning');
    expect(doc.alerts.length).toBeGreaterThan(0);
    expect(doc.alerts[0]).toMatchObject({ host: 'dgx-demo', rule: 'memory', severity: 'warning', gpu: expect.any(Number), uuid: expect.stringMatching(/^GPU-/) });
  });

  it('the settings keys for alerts and remote are checked like every other', () => {
    expect(gpumon(['config', 'set', 'alerts.memory', '120']).status).toBe(2);
    const bad = gpumon(['config', 'set', 'remote', 'node1 9400']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('comma-separated server URLs');
    const env = { GPUMON_CONFIG_DIR: freshConfigDir() };
    expect(gpumon(['config', 'set', 'remote', 'http://127.0.0.1:1,http://127.0.0.1:2'], env).status).toBe(0);
    // The setting makes --once read the fleet; both are down here.
    const r = gpumon(['--once', '--timeout', '2'], env);
    expect(r.stdout).toMatch(/^Fleet {2}2 hosts, 2 down/);
    expect(r.stdout).toContain('══ http://127.0.0.1:1  DOWN since');
    // And --remote '' turns it off for one run.
    expect(gpumon(['--once', '--remote', '', '--demo', 'h100'], env).stdout).toContain('GPUMON');
  });
});
