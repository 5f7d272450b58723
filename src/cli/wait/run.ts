import { spawn } from 'node:child_process';
import { type CommandLine, directCommand, SpawnFailure } from '../../bench/child.js';
import { cudaVisibleDevices, judgeGpus, type PickCriteria, qualifying, SettleTracker, type Verdict } from '../../model/gpu-pick.js';
import type { GpuSample, Snapshot } from '../../model/types.js';
import { GpuLocks, locksDir } from '../../sampler/host/gpu-locks.js';
import type { SnapshotSource } from '../../sampler/source.js';
import { fmtDuration } from '../../views/format.js';
import { criteriaText, tooFewText, unfitLines, waitProgress } from '../../views/text/gpu-pick.js';
import { CliError, EXIT, exitForSignal, STOP_SIGNALS } from '../../exit-status.js';
import { criteriaOf } from '../select/flags.js';
import { openPickSource } from '../select/source.js';
import type { WaitFlags } from './flags.js';

type Waited = { readonly kind: 'ready'; readonly gpus: readonly GpuSample[] } | { readonly kind: 'signal'; readonly signal: NodeJS.Signals } | { readonly kind: 'timeout' };

/** Takes the locks of `count` ready GPUs, best first; none when fewer than `count` can be had (another waiter was quicker). */
function takeGpus(locks: GpuLocks, ready: readonly GpuSample[], count: number, command: string): GpuSample[] | null {
  const taken: GpuSample[] = [];
  for (const g of ready) if (taken.length < count && locks.take(g.uuid, command)) taken.push(g);
  if (taken.length === count) return taken;
  locks.release();
  return null;
}

/**
 * Reads the source until `count` GPUs have been free for the settle time and
 * their locks are ours, or a stop signal, or --max-wait. `progress` gets each
 * sample's verdicts.
 */
function waitForGpus(
  source: SnapshotSource,
  o: { criteria: PickCriteria; settleMs: number; maxWaitMs: number | null; locks: GpuLocks; command: string; progress: (v: readonly Verdict[]) => void },
  last: { verdicts: readonly Verdict[] },
): Promise<Waited> {
  return new Promise((resolve, reject) => {
    const tracker = new SettleTracker(o.settleMs);
    let done = false;
    const finish = (r: Waited | Error) => {
      if (done) return;
      done = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
      source.stop();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const onSignal = (signal: NodeJS.Signals) => finish({ kind: 'signal', signal });
    const onSnapshot = (s: Snapshot) => {
      if (done) return;
      try {
        if (s.gpus.length < o.criteria.count)
          throw new CliError(`-n ${o.criteria.count}, but there ${s.gpus.length === 1 ? 'is' : 'are'} only ${s.gpus.length} GPU${s.gpus.length === 1 ? '' : 's'} to pick from`, EXIT.tooFewGpus);
        last.verdicts = tracker.feed(s.time, judgeGpus(s, o.criteria, (uuid) => o.locks.holderOf(uuid)));
        const ready = qualifying(last.verdicts);
        const gpus = ready.length >= o.criteria.count ? takeGpus(o.locks, ready, o.criteria.count, o.command) : null;
        if (gpus) finish({ kind: 'ready', gpus });
        else o.progress(last.verdicts);
      } catch (e) {
        finish(e as Error);
      }
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
    const timer = o.maxWaitMs === null ? null : setTimeout(() => finish({ kind: 'timeout' }), o.maxWaitMs);
    const unsubscribe = source.subscribe(onSnapshot);
    source.start().then(
      // Done on the first snapshot, which start() hands out before it sets its timer: stop that timer too.
      () => done && source.stop(),
      (e: unknown) => finish(e as Error),
    );
  });
}

/**
 * Runs the command in the foreground: our stdin, stdout and stderr, our
 * process group (Ctrl-C reaches it from the terminal); SIGINT, SIGTERM and
 * SIGHUP sent to gpumon are passed on. Resolves with its exit status (128 +
 * the signal's number when a signal ended it, as a shell reports it).
 */
function runForeground(command: CommandLine, env: NodeJS.ProcessEnv, onStart: (pid: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, [...command.args], { stdio: 'inherit', env });
    const pass = (signal: NodeJS.Signals) => child.kill(signal);
    const done = () => {
      for (const s of STOP_SIGNALS) process.off(s, pass);
    };
    for (const s of STOP_SIGNALS) process.on(s, pass);
    child.once('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(new SpawnFailure(command, e.code ?? e.message));
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? exitForSignal(signal ?? 'SIGKILL'));
    });
    if (child.pid !== undefined) onStart(child.pid);
  });
}

/** A lock file that cannot be made or read is exit 73, naming the folder; any other failure is not the locks'. */
function lockFailure(dir: string, e: unknown): never {
  const { code, path } = e as NodeJS.ErrnoException;
  if (!code || !path?.startsWith(dir)) throw e;
  throw new CliError(`cannot use the lock folder ${dir}: ${code}`, EXIT.cannotWrite);
}

/** `gpumon wait`. Returns the command's exit status, or gpumon's own when it never ran. */
export async function runWait(argv: string[], flags: WaitFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const command = directCommand(argv as [string, ...string[]]);
  const criteria = criteriaOf(flags);
  const { stderr } = process;
  const locks = new GpuLocks(locksDir(env));
  process.on('exit', () => locks.release());
  const source = await openPickSource(flags, env);

  const tty = stderr.isTTY === true;
  let lastKey = '';
  const started = Date.now();
  stderr.write(`gpumon wait: waiting for ${criteria.count} GPU${criteria.count === 1 ? '' : 's'} (${criteriaText(criteria, flags.settle)}) to run ${command.text}\n`);
  const progress = (verdicts: readonly Verdict[]) => {
    const { text, key } = waitProgress(verdicts, criteria);
    if (tty) stderr.write(`\r\x1b[K${`[${fmtDuration((Date.now() - started) / 1000)}] ${text}`.slice(0, (stderr.columns || 80) - 1)}`);
    else if (key !== lastKey) stderr.write(`gpumon wait: ${text}\n`);
    lastKey = key;
  };
  const last: { verdicts: readonly Verdict[] } = { verdicts: [] };
  let waited: Waited;
  try {
    waited = await waitForGpus(source, { criteria, settleMs: flags.settle, maxWaitMs: flags.maxWait ?? null, locks, command: command.text, progress }, last);
  } catch (e) {
    if (e instanceof CliError) throw e;
    return lockFailure(locks.dir, e);
  } finally {
    if (tty) stderr.write('\r\x1b[K');
  }
  if (waited.kind === 'signal') {
    stderr.write(`gpumon wait: stopped by ${waited.signal} before the GPUs were free; nothing was run\n`);
    return exitForSignal(waited.signal);
  }
  if (waited.kind === 'timeout') {
    throw new CliError(`gave up after waiting ${fmtDuration((flags.maxWait ?? 0) / 1000)} (--max-wait): ${tooFewText(last.verdicts, criteria)}; nothing was run`, EXIT.waitTimedOut, unfitLines(last.verdicts));
  }

  const devices = cudaVisibleDevices(waited.gpus, flags.uuid === true);
  // Indices as nvidia-smi counts them: CUDA's own order can differ unless told.
  const order = flags.uuid ? {} : { CUDA_DEVICE_ORDER: env.CUDA_DEVICE_ORDER ?? 'PCI_BUS_ID' };
  stderr.write(`gpumon wait: running ${command.text} with CUDA_VISIBLE_DEVICES=${devices}\n`);
  try {
    return await runForeground(command, { ...env, ...order, CUDA_VISIBLE_DEVICES: devices }, (pid) => locks.addHolder(pid));
  } catch (e) {
    if (e instanceof SpawnFailure) throw new CliError(e.message, EXIT.commandNotFound);
    throw e;
  } finally {
    locks.release();
  }
}
