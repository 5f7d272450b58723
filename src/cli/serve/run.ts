import { alertLimitsOf } from '../../config/settings.js';
import { loadSettings } from '../../config/settings-file.js';
import { CliError, EXIT } from '../../exit-status.js';
import { openSource } from '../../sampler/open.js';
import { ListenError, startServer } from '../../serve/server.js';
import { VERSION } from '../../version.js';
import { sourceOptions } from '../shared/options.js';
import type { ServeFlags } from './flags.js';

/** Runs until SIGINT or SIGTERM, then stops cleanly (exit 0). */
export async function runServe(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const { settings } = loadSettings(env);
  const source = await openSource(sourceOptions(flags, env, settings));
  const first = await source.start().catch((e: unknown) => {
    source.stop();
    throw e;
  });
  let server;
  try {
    server = await startServer(source, first, {
      host: flags.host,
      port: flags.port,
      version: VERSION,
      exposeProcesses: flags.exposeProcesses === true,
      alertLimits: alertLimitsOf(settings),
    });
  } catch (e) {
    source.stop();
    throw e instanceof ListenError ? new CliError(`serve: ${e.message}`, EXIT.cannotListen) : e;
  }
  process.stdout.write(`gpumon serve: listening on ${server.url} (/metrics, /api/snapshot, /api/stream, /healthz)\n`);
  if (!/^(127\.|::1$|localhost$)/.test(flags.host)) process.stderr.write(`gpumon serve: ${flags.host} is not loopback: anyone who can reach this machine can read these pages\n`);
  const running = server;
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      source.stop();
      void running.close().then(() => resolve(EXIT.ok));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
