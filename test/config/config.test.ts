import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadSetting, defaultSettings, parseSetting, resolveSettings } from '../../src/config/settings.js';
import { loadSettings } from '../../src/config/settings-file.js';
import { freshConfigDir, gpumon, STACK_FRAME } from '../helpers/run-cli.js';

describe('settings', () => {
  it('parses config set text, and names the key and what it allows when it cannot', () => {
    expect(parseSetting('thresholds.temperature', '60,80')).toEqual([60, 80]);
    expect(parseSetting('interval', '0.5')).toBe(0.5);
    expect(parseSetting('readonly', 'yes')).toBe(true);
    expect(() => parseSetting('theme', 'blue')).toThrow(new BadSetting("theme: 'blue' is not allowed; use one of dark, light"));
    expect(() => parseSetting('thresholds.memory', '90,10')).toThrow(/thresholds.memory: '90,10' is not allowed; use two numbers/);
    expect(() => parseSetting('interval', '0')).toThrow(/a number from 0.1 to 3600/);
    expect(() => parseSetting('colour', 'x')).toThrow(/there is no setting 'colour'/);
  });

  it('uses what the file holds when it is allowed, and reports the rest', () => {
    const { settings, problems } = resolveSettings({ theme: 'light', interval: -3, bogus: 1 });
    expect(settings).toEqual({ ...defaultSettings(), theme: 'light' });
    expect(problems).toEqual(["interval: -3 is not allowed (use a number from 0.1 to 3600); using 1", "unknown setting 'bogus' ignored"]);
  });

  it('a missing file means defaults; a broken one is reported, never fatal', () => {
    const dir = freshConfigDir();
    expect(loadSettings({ GPUMON_CONFIG_DIR: dir })).toMatchObject({ settings: defaultSettings(), problems: [] });
    writeFileSync(join(dir, 'config.json'), '{not json');
    const loaded = loadSettings({ GPUMON_CONFIG_DIR: dir });
    expect(loaded.settings).toEqual(defaultSettings());
    expect(loaded.problems[0]).toMatch(/cannot read .*config\.json/);
  });
});

describe('gpumon config', () => {
  it('set, show and reset one key', () => {
    const env = { GPUMON_CONFIG_DIR: freshConfigDir() };
    expect(gpumon(['config', 'set', 'thresholds.temperature', '60,80'], env)).toMatchObject({ status: 0 });
    expect(JSON.parse(readFileSync(join(env.GPUMON_CONFIG_DIR, 'config.json'), 'utf8'))).toEqual({ 'thresholds.temperature': [60, 80] });
    const shown = gpumon(['config'], env).stdout;
    expect(shown).toContain(join(env.GPUMON_CONFIG_DIR, 'config.json'));
    expect(shown).toMatch(/^thresholds\.temperature\s+60,80\s+\(set\)/m);
    expect(shown).toMatch(/^theme\s+dark\s+\(default\)/m);
    gpumon(['config', 'reset', 'thresholds.temperature'], env);
    expect(gpumon(['config'], env).stdout).toMatch(/^thresholds\.temperature\s+70,85\s+\(default\)/m);
  });

  it('a bad value: exit 2, the key and what is allowed, nothing written', () => {
    const env = { GPUMON_CONFIG_DIR: freshConfigDir() };
    const r = gpumon(['config', 'set', 'view', 'tiny'], env);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("view: 'tiny' is not allowed; use one of auto, full, compact");
    expect(readdirSync(env.GPUMON_CONFIG_DIR)).toEqual([]);
  });

  it('a broken file: config set refuses (exit 78) and reset keeps the old file', () => {
    const env = { GPUMON_CONFIG_DIR: freshConfigDir() };
    writeFileSync(join(env.GPUMON_CONFIG_DIR, 'config.json'), '{"view": "full",');
    const r = gpumon(['config', 'set', 'view', 'compact'], env);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/cannot use the settings file/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(gpumon(['config', 'reset'], env).status).toBe(0);
    const files = readdirSync(env.GPUMON_CONFIG_DIR);
    expect(files.some((f) => f.endsWith('.bak'))).toBe(true);
    expect(readFileSync(join(env.GPUMON_CONFIG_DIR, files.find((f) => f.endsWith('.bak'))!), 'utf8')).toBe('{"view": "full",');
  });

  it('--once follows the settings: ascii and color thresholds', () => {
    const env = { GPUMON_CONFIG_DIR: freshConfigDir() };
    gpumon(['config', 'set', 'ascii', 'true'], env);
    const out = gpumon(['--demo', 'h100', '--once'], env).stdout;
    expect([...out].some((c) => c.charCodeAt(0) > 127)).toBe(false);
    // 61°C is "low" (green) by default, "high" (red) once high starts at 60.
    const green = gpumon(['--demo', 'h100', '--once', '--compact'], { ...env, FORCE_COLOR: '1' }).stdout;
    expect(green).toContain("\x1b[32m 61'C");
    gpumon(['config', 'set', 'thresholds.temperature', '50,60'], env);
    const red = gpumon(['--demo', 'h100', '--once', '--compact'], { ...env, FORCE_COLOR: '1' }).stdout;
    expect(red).toContain("\x1b[31m 61'C");
  });
});
