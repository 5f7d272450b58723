import { loadSettings } from '../../config/settings-file.js';
import type { FleetSnapshot } from '../../model/fleet.js';
import { selectGpus } from '../../model/select.js';
import type { Snapshot } from '../../model/types.js';
import { openSource } from '../../sampler/open.js';
import { fetchSnapshot, FleetSnapshotSource, FleetSource, normalizeServerUrl } from '../../sampler/remote.js';
import { selectOrFail, type SnapshotSource } from '../../sampler/source.js';
import { CliError, EXIT, UsageError } from '../../exit-status.js';
import { readSnapshot } from '../../sampler/read-snapshot.js';
import { gpuSelection, selectionName, snapshotOptions, sourceOptions } from '../shared/options.js';
import type { PickFlags } from './flags.js';

/**
 * Where `select` and `wait` read GPUs: this machine's (nvidia-smi, or
 * `--demo`), or one `gpumon serve` given by `--remote`, whose snapshots keep
 * their own UUIDs (a fleet's merged snapshot would not).
 */

function serverUrl(flags: PickFlags): string | null {
  if (flags.remote === undefined) return null;
  const url = normalizeServerUrl(flags.remote);
  if (url === null || flags.remote.includes(',')) throw new UsageError(`--remote: '${flags.remote}' is not one server URL (e.g. http://node1:9400)`);
  return url;
}

/** One snapshot from the server, with `--only`/`--only-visible` applied; a server that cannot be read is exit 69. */
async function fetchRemote(url: string, flags: PickFlags, env: NodeJS.ProcessEnv): Promise<Snapshot> {
  const snapshot = await fetchSnapshot(url, flags.timeout).catch((e: unknown) => {
    throw new CliError(`--remote ${url}: ${(e as Error).message}`, EXIT.serverUnavailable);
  });
  return selectOrFail(snapshot, gpuSelection(flags, env), selectionName(flags, env));
}

/** `select`: one snapshot now. */
export async function readPickSnapshot(flags: PickFlags, env: NodeJS.ProcessEnv): Promise<Snapshot> {
  const url = serverUrl(flags);
  return url ? fetchRemote(url, flags, env) : readSnapshot(snapshotOptions(flags, env));
}

/** `wait`: snapshots over time. From a server that goes down, the last snapshot comes back stale, so nothing counts as free meanwhile. */
export async function openPickSource(flags: PickFlags, env: NodeJS.ProcessEnv): Promise<SnapshotSource> {
  const { settings } = loadSettings(env);
  const url = serverUrl(flags);
  if (url === null) return openSource(sourceOptions(flags, env, settings));
  const checked = await fetchRemote(url, flags, env);
  const selection = gpuSelection(flags, env);
  const oneHost = (f: FleetSnapshot): Snapshot => {
    const h = f.hosts[0]!;
    const s = selectGpus(h.snapshot ?? checked, selection);
    return h.down ? { ...s, stale: { since: h.down.since, reason: `${url}: ${h.down.reason}` } } : s;
  };
  return new FleetSnapshotSource(new FleetSource([url], { timeoutMs: flags.timeout }), flags.interval ?? settings.interval * 1000, oneHost);
}
