import { render } from 'ink';
import { loadSettings } from '../../config/settings-file.js';
import { SnapshotStore } from '../../model/store.js';
import { signalProcess } from '../../sampler/host/signal.js';
import { VERSION } from '../../version.js';
import { Monitor, type TerminalSize } from '../../views/monitor/Monitor.js';
import { makePainter, shouldColor } from '../../views/style.js';
import { FrameSinkContext } from '../../views/monitor/Frame.js';
import { DiffScreen, ENTER_FULL_SCREEN, InkStdout, LEAVE_FULL_SCREEN } from '../../views/terminal/screen.js';
import { PanelBenchRunner } from './panel-bench-runner.js';
import { reportError } from '../shared/report-error.js';
import { EXIT, exitForSignal } from '../../exit-status.js';
import { appearance } from '../shared/options.js';
import type { MonitorOptions } from './flags.js';
import { openMonitorSource } from './source.js';

/** Signals that end the monitor, restoring the terminal first. */
const EXIT_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'] as const;

/**
 * `gpumon` on a terminal. Collection starts (and fails, with gpumon's usual
 * message and status) before the screen is touched; after that, every way
 * out (q, Ctrl-C, SIGTERM, a crash) passes through one `finish` that unmounts
 * Ink, stops the collectors and gives the terminal back as it was.
 */
export async function runMonitor(opts: MonitorOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const { settings, problems } = loadSettings(env);
  const look = appearance(opts, settings);
  // Processes of other hosts: a signal would go to a local PID, so a fleet is read-only.
  const { source, alertsOf, remote } = await openMonitorSource(opts, env, settings);
  const first = await source.start().catch((e: unknown) => {
    source.stop();
    throw e;
  });
  const intervalMs = opts.interval ?? settings.interval * 1000;
  const recorder =
    opts.record === undefined
      ? null
      : await (await import('./record-alongside.js'))
          .recordAlongside(opts.record, env, settings, source, first, intervalMs, (e) => {
            finish(EXIT.cannotWrite);
            reportError(e, process.stderr);
          })
          .catch((e: unknown) => {
            source.stop();
            throw e;
          });
  const store = new SnapshotStore(first, recorder?.history, alertsOf);
  source.subscribe((s) => store.push(s));
  const bench = new PanelBenchRunner(settings['bench.presets'], source, intervalMs, env, opts.demo !== undefined && opts.demo !== false, process.cwd(), typeof opts.record === 'string' ? opts.record : undefined);

  const out = process.stdout;
  const size = () => ({ columns: out.columns || 80, rows: out.rows || 24 });
  const screen = new DiffScreen(out, size());
  const terminal: TerminalSize = {
    size: () => screen.size,
    subscribe: (onResize) => {
      screen.on('resize', onResize);
      return () => screen.off('resize', onResize);
    },
  };
  const onResize = () => screen.resize(size());
  out.on('resize', onResize);

  let finished = false;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (resolveExit = r));
  const onSignal = (signal: NodeJS.Signals) => finish(exitForSignal(signal));
  const onCrash = (error: unknown) => {
    finish(EXIT.internal);
    reportError(error, process.stderr);
  };
  function finish(code: number): void {
    if (finished) return;
    finished = true;
    try {
      app.unmount();
    } catch {
      // Unmounting a broken tree must not keep the terminal from being restored.
    }
    bench.dispose();
    source.stop();
    recorder?.close(code);
    out.off('resize', onResize);
    for (const s of EXIT_SIGNALS) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    out.write(LEAVE_FULL_SCREEN);
    resolveExit(code);
  }
  for (const s of EXIT_SIGNALS) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const painter = makePainter(shouldColor(true, env), look.theme);
  out.write(ENTER_FULL_SCREEN);
  const app = render(
    <FrameSinkContext.Provider value={screen}>
    <Monitor
      store={store}
      terminal={terminal}
      options={{ width: 0, ascii: look.ascii, painter, version: VERSION, thresholds: look.thresholds }}
      initial={{
        view: opts.compact ? 'compact' : settings.view,
        sort: settings.sort,
        descending: settings['sort.descending'],
        message: problems[0] ? { text: `Settings: ${problems[0]}`, level: 'error' } : null,
      }}
      intervalMs={intervalMs}
      readonly={opts.readonly === true || settings.readonly || remote}
      keys={process.stdin.isTTY === true}
      onSignal={(pid, startTimeMs, signal) => signalProcess(pid, startTimeMs, signal)}
      onQuit={() => finish(0)}
      bench={bench}
    />
    </FrameSinkContext.Provider>,
    // Frames go to the DiffScreen through FrameSinkContext; Ink keeps React, keys and the size.
    { stdout: new InkStdout(screen) as unknown as NodeJS.WriteStream, stdin: process.stdin, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  // An error thrown while rendering ends Ink's app: treat it as a crash, so the terminal comes back.
  app.waitUntilExit().catch(onCrash);
  return exited;
}
