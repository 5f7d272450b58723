import type { Settings } from '../../config/settings.js';
import { UsageError } from '../../exit-status.js';
import { normalizeServerUrl } from '../../sampler/remote.js';
import type { CommonOptions } from './options.js';

/** The servers `--remote` names, else the `remote` setting; `--remote ''` turns the setting off. */
export function remoteUrls(opts: CommonOptions, settings: Pick<Settings, 'remote'>): string[] {
  if (opts.remote === undefined) return [...settings.remote];
  const urls = opts.remote.split(',').filter((u) => u.trim());
  return urls.map((u) => normalizeServerUrl(u) ?? fail(u));
}

const fail = (u: string): never => {
  throw new UsageError(`--remote: '${u}' is not a server URL (e.g. http://node1:9400)`);
};
