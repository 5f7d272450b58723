import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { resolveSettings, type Settings } from './settings.js';

/** `$GPUMON_CONFIG_DIR`, else `$XDG_CONFIG_HOME/gpumon`, else `~/.config/gpumon`. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.GPUMON_CONFIG_DIR) return env.GPUMON_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(os.homedir(), '.config'), 'gpumon');
}

export const CONFIG_FILE = 'config.json';

export function configPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), CONFIG_FILE);
}

export interface LoadedSettings {
  readonly settings: Settings;
  readonly path: string;
  /** What in the file could not be used (it is left as is; defaults apply). */
  readonly problems: string[];
  /** What the file sets, as stored. */
  readonly stored: Readonly<Record<string, unknown>>;
}

/**
 * Reads the settings without loading conf (which brings a JSON-schema
 * validator): every mode reads settings at start-up, only `gpumon config`
 * writes them. A missing file means defaults; an unreadable one is reported,
 * not fatal, and never overwritten.
 */
export function loadSettings(env: NodeJS.ProcessEnv): LoadedSettings {
  const path = configPath(env);
  let stored: Record<string, unknown> = {};
  const problems: string[] = [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
    else problems.push(`${path} does not hold a JSON object; using the defaults`);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'ENOENT') problems.push(`cannot read ${path} (${err.code ?? err.message}); using the defaults`);
  }
  const resolved = resolveSettings(stored);
  return { settings: resolved.settings, path, problems: [...problems, ...resolved.problems], stored };
}
