import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBenchPresets, parseBenchPresets } from '../../src/config/bench-presets.js';
import { resolveSettings } from '../../src/config/settings.js';
import { freshConfigDir, gpumon } from '../helpers/run-cli.js';

describe('bench.presets', () => {
  it('accepts presets keyed by bench http flags, and refuses anything else', () => {
    expect(parseBenchPresets('{"a": {"base-url": "http://h:8000", "request-rate": "inf", "max-concurrency": 8, "duration": 30}}')).toEqual({
      a: { 'base-url': 'http://h:8000', 'request-rate': 'inf', 'max-concurrency': 8, duration: 30 },
    });
    for (const bad of ['[]', '{"a": 1}', '{"a": {"rate": 1}}', '{"a": {"max-concurrency": 0.5}}', '{"a": {"request-rate": -1}}', 'not json'])
      expect(parseBenchPresets(bad), bad).toBeUndefined();
    expect(isBenchPresets({})).toBe(true);
  });

  it('a hand-edited bad value is ignored with a warning, the others kept', () => {
    const { settings, problems } = resolveSettings({ 'bench.presets': { a: { model: 3 } }, theme: 'light' });
    expect(settings['bench.presets']).toEqual({});
    expect(settings.theme).toBe('light');
    expect(problems[0]).toMatch(/^bench\.presets: .* is not allowed/);
  });

  it('gpumon config shows them; config set stores them', () => {
    const dir = freshConfigDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{}');
    const set = gpumon(['config', 'set', 'bench.presets', '{"local": {"base-url": "http://127.0.0.1:8000"}}'], { GPUMON_CONFIG_DIR: dir });
    expect(set.status).toBe(0);
    const shown = gpumon(['config'], { GPUMON_CONFIG_DIR: dir });
    expect(shown.stdout).toMatch(/^bench\.presets +\{"local":\{"base-url":"http:\/\/127\.0\.0\.1:8000"\}\} +\(set\)/m);
    expect(gpumon(['config', 'set', 'bench.presets', '{"x": {"rate": 1}}'], { GPUMON_CONFIG_DIR: dir }).status).toBe(2);
  });
});
