import { type Command, Option } from 'commander';
import { CliError, EXIT, UsageError } from '../../exit-status.js';
import { addSourceOptions, optionParser, type SourceFlags, sourceOptions } from '../shared/options.js';

export interface ServeFlags extends SourceFlags {
  readonly host: string;
  readonly port: number;
  readonly exposeProcesses?: boolean;
}

const parsePort = optionParser((text: string) => {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`--port: '${text}' is not a port number (0 to 65535; 0 picks a free one)`);
  return n;
});

/**
 * `gpumon serve` (Prometheus /metrics, the JSON snapshot and a stream, over
 * one sampler), and the root's flags that read such servers and check alerts.
 */
export function registerServeAndFleet(program: Command): void {
  program
    .option('--remote <urls>', 'read these gpumon servers, not the local GPUs')
    .option('--check', 'print firing alerts (exit 20 warning, 21 critical)');
  const serve = program
    .command('serve')
    .description('serve Prometheus /metrics and JSON over HTTP')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0: a free one)').argParser(parsePort).default(9400))
    .option('--expose-processes', 'include process users and command lines');
  addSourceOptions(serve).action(async (flags: ServeFlags) => {
    process.exitCode = await runServe(flags, process.env);
  });
}

/** Runs until SIGINT or SIGTERM, then stops cleanly (exit 0). */
export async function runServe(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const [{ loadSettings }, { alertLimitsOf }, { openSource }, { startServer, ListenError }, { VERSION }] = await Promise.all([
    import('../../config/settings-file.js'),
    import('../../config/settings.js'),
    import('../../sampler/open.js'),
    import('../../serve/server.js'),
    import('../../version.js'),
  ]);
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
