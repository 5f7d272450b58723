import type { Command } from 'commander';

/** `gpumon config`, `gpumon config set KEY VALUE`, `gpumon config reset [KEY]`. */
export function addConfigCommand(program: Command): void {
  const config = program
    .command('config')
    .description('show the settings and where each comes from')
    .action(async (_opts: unknown, self: Command) => {
      if (self.args.length > 0) self.error(`error: unknown command 'config ${self.args[0]}' (commands: set, reset)`, { code: 'commander.unknownCommand', exitCode: 2 });
      await (await import('../../config/edit.js')).showConfig(process.stdout, process.env);
    });
  config
    .command('set <key> <value>')
    .description('set one setting (e.g. thresholds.temperature 70,85)')
    .action(async (key: string, value: string) => (await import('../../config/edit.js')).setConfig(key, value, process.stdout, process.env));
  config
    .command('reset [key]')
    .description('reset one setting, or all of them, to the default')
    .action(async (key: string | undefined) => (await import('../../config/edit.js')).resetConfig(key, process.stdout, process.env));
  // After set and reset are made, so that they keep refusing extra arguments.
  config.allowExcessArguments();
}
