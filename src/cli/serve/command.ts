import { type Command, Option } from 'commander';
import { addSourceOptions } from '../shared/options.js';
import { parsePort, type ServeFlags } from './flags.js';

/** `gpumon serve`: Prometheus /metrics, the JSON snapshot and a stream, over one sampler; the server loads when it runs. */
export function addServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('serve Prometheus /metrics and JSON over HTTP')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0: a free one)').argParser(parsePort).default(9400))
    .option('--expose-processes', 'include process users and command lines');
  addSourceOptions(serve).action(async (flags: ServeFlags) => {
    process.exitCode = await (await import('./run.js')).runServe(flags, process.env);
  });
}
