import { existsSync, renameSync } from 'node:fs';
import Conf from 'conf';
import { CliError, EXIT, UsageError } from '../exit-status.js';
import { BadSetting, isSettingName, KEYS, parseSetting, SETTING_NAMES, showSetting } from './settings.js';
import { CONFIG_FILE, configDir, configPath, loadSettings } from './settings-file.js';

type Out = { write(text: string): unknown };

/** conf writes atomically; flat dotted keys, as `config set` names them. */
function openStore(env: NodeJS.ProcessEnv): Conf<Record<string, unknown>> {
  try {
    return new Conf({ cwd: configDir(env), configName: CONFIG_FILE.replace(/\.json$/, ''), accessPropertiesByDotNotation: false, projectSuffix: '' });
  } catch (e) {
    throw new CliError(
      `cannot use the settings file ${configPath(env)}: ${(e as Error).message}`,
      EXIT.config,
      'Fix it by hand, or run `gpumon config reset` (it keeps the old file beside the new one).',
    );
  }
}

export function showConfig(out: Out, env: NodeJS.ProcessEnv): void {
  const { settings, path, problems, stored } = loadSettings(env);
  out.write(`${path}${existsSync(path) ? '' : ' (not created yet: every setting is at its default)'}\n\n`);
  const width = Math.max(...SETTING_NAMES.map((k) => k.length));
  for (const name of SETTING_NAMES) {
    const origin = Object.hasOwn(stored, name) && KEYS[name].accepts(stored[name]) ? 'set' : 'default';
    out.write(`${name.padEnd(width)}  ${showSetting(name, settings[name]).padEnd(10)}  ${origin === 'set' ? '(set)    ' : '(default)'}  ${KEYS[name].help}\n`);
  }
  for (const p of problems) out.write(`\nwarning: ${p}`);
  if (problems.length) out.write('\n');
}

export function setConfig(key: string, value: string, out: Out, env: NodeJS.ProcessEnv): void {
  let parsed: unknown;
  try {
    parsed = parseSetting(key, value);
  } catch (e) {
    if (e instanceof BadSetting) throw new UsageError(`config set: ${e.message}`);
    throw e;
  }
  openStore(env).set(key, parsed);
  out.write(`${key} = ${showSetting(key as never, parsed)}  (${configPath(env)})\n`);
}

export function resetConfig(key: string | undefined, out: Out, env: NodeJS.ProcessEnv): void {
  if (key !== undefined && !isSettingName(key)) throw new UsageError(`config reset: there is no setting '${key}' (there are: ${SETTING_NAMES.join(', ')})`);
  const path = configPath(env);
  if (key === undefined) {
    // Never destroy what someone wrote: keep the old file beside the new one.
    if (existsSync(path)) {
      const kept = `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
      renameSync(path, kept);
      out.write(`all settings are at their defaults; the old file is kept as ${kept}\n`);
    } else out.write('all settings are at their defaults\n');
    return;
  }
  openStore(env).delete(key);
  out.write(`${key} = ${showSetting(key, KEYS[key].default)} (default)\n`);
}
