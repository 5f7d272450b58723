import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoSource, loadRecording } from '../../src/sampler/demo.js';
import { PanelBenchRunner } from '../../src/cli/monitor/panel-bench-runner.js';
import { query, tempDb } from '../helpers/history.js';
import { startOpenAiServer, type TestServer, tokenStream } from '../helpers/openai-server.js';

let server: TestServer | null = null;
let controller: PanelBenchRunner | null = null;
const source = new DemoSource(loadRecording('h100'), { intervalMs: 100, selection: null });
afterEach(async () => {
  controller?.dispose();
  source.stop();
  await server?.close();
  server = null;
});

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(ok()).toBe(true);
};

describe("the panel's controller", () => {
  it('runs a preset with the monitor’s own GPU source, saves the result, and offers it as the last run next time', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 5, itlMs: 5, tokens: 4 }) }));
    const env = { GPUMON_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'gpumon-config-')) };
    const results = mkdtempSync(join(tmpdir(), 'gpumon-results-'));
    await source.start();
    controller = new PanelBenchRunner({ local: { 'base-url': server.url, 'num-prompts': 12, 'max-concurrency': 3 } }, source, 100, env, false, results);
    expect(controller.get().choices.map((c) => c.name)).toEqual(['local']);
    expect(controller.get().choices[0]!.summary).toBe(`${server.url}  first model  rate inf  concurrency 3  in 1024  out 128  12 requests`);
    controller.start(0);
    await until(() => controller!.get().progress?.phase === 'finished');
    const state = controller.get();
    expect(state.progress).toMatchObject({ completed: 12, failed: 0, model: 'test-model' });
    expect(state.resultPath).toMatch(new RegExp(`^${results}/http-infqps-concurrency3-test-model-\\d{8}-\\d{6}\\.json$`));
    const result = JSON.parse(readFileSync(state.resultPath!, 'utf8')) as { kind: string; completed: number; gpu: { sample_interval_ms: number; devices: unknown[] } };
    expect(result).toMatchObject({ kind: 'http', completed: 12 });
    expect(result.gpu.sample_interval_ms).toBe(100);
    expect(result.gpu.devices).toHaveLength(1);
    expect(existsSync(join(env.GPUMON_CONFIG_DIR, 'bench-last.json'))).toBe(true);
    const next = new PanelBenchRunner({}, source, 100, env, true);
    expect(next.get().choices.map((c) => c.name)).toEqual(['last run', 'demo']);
    next.dispose();
  });

  it('adds each run as a span to the history database, with its result file; a database it cannot use is a note, not a failure', async () => {
    server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 5, itlMs: 5, tokens: 4 }) }));
    const env = { GPUMON_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'gpumon-config-')), XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'gpumon-data-')) };
    const results = mkdtempSync(join(tmpdir(), 'gpumon-results-'));
    const db = tempDb();
    await source.start();
    const preset = { local: { 'base-url': server.url, 'num-prompts': 6, 'request-rate': 50 } };
    controller = new PanelBenchRunner(preset, source, 100, env, false, results, db);
    controller.start(0);
    // The result line comes after the span is written.
    await until(() => controller!.get().progress?.message != null);
    expect(query(db, 'SELECT kind, label, ended_by, result_file FROM spans')).toEqual([{ kind: 'bench', label: 'bench http test-model @ 50 req/s', ended_by: 'completed', result_file: controller.get().resultPath }]);
    expect(controller.get().note).toBeNull();
    controller.dispose();

    const corrupt = join(results, 'text.db');
    writeFileSync(corrupt, 'x'.repeat(5000));
    controller = new PanelBenchRunner(preset, source, 100, env, false, results, corrupt);
    controller.start(0);
    // The result line comes after the span is written.
    await until(() => controller!.get().progress?.message != null);
    expect(controller.get().resultPath).not.toBeNull();
    expect(controller.get().note).toMatch(/^span not recorded: .*text\.db is not a readable SQLite database/);
    // Once the file is a database again, the next run's span goes in and the note goes.
    rmSync(corrupt);
    controller.start(0);
    await until(() => controller!.get().note === null);
    expect(query(corrupt, "SELECT count(*) AS n FROM spans WHERE kind = 'bench'")).toEqual([{ n: 1 }]);
  });

  it('says how to add a preset when there is nothing to run', () => {
    const c = new PanelBenchRunner({}, source, 100, { GPUMON_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'gpumon-config-')) }, false);
    expect(c.get().choices).toEqual([]);
    expect(c.get().note).toMatch(/^No presets\. Add one: gpumon config set bench\.presets '\{"local"/);
  });
});
