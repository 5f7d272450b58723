import type { Snapshot } from '../model/types.js';
import { assembleSnapshot, withLostGpus } from './assemble.js';
import { HostReader } from './host/proc-host.js';
import { ProcessReader } from './host/proc-processes.js';
import { NvidiaSmi } from './nvidia-smi/client.js';
import type { ComputeAppsResult } from './nvidia-smi/compute-apps.js';
import { excerpt, SmiFailure } from './nvidia-smi/failure.js';

/**
 * One snapshot, for `--once`: the GPU query, the process query and the
 * version query run side by side (each is a ~30 ms spawn), the host is read
 * meanwhile. Throws SmiFailure when there is no GPU data to show; a failed
 * process query only costs the process table, and says so in `notes`.
 */
export async function sampleOnce(smi: NvidiaSmi, host = new HostReader(), processes = new ProcessReader()): Promise<Snapshot> {
  const [gpus, apps, versions] = await Promise.all([
    smi.queryGpus(),
    smi.queryComputeApps().catch((e: unknown) => e),
    smi.versions().catch(() => ({ driverVersion: null, cudaVersion: null })),
  ]);
  const notes = [...smi.notes(), ...gpus.problems.map((p) => `unreadable line from nvidia-smi: ${p}`)];
  let appList: ComputeAppsResult['apps'] = [];
  if (apps instanceof SmiFailure) notes.push(`could not list GPU processes: ${apps.message}${apps.detail ? ` (${excerpt(apps.detail, 1)})` : ''}`);
  else if (apps instanceof Error) throw apps;
  else appList = (apps as ComputeAppsResult).apps;
  const hostSample = host.sample();
  const time = Date.now();
  return assembleSnapshot({
    time,
    source: { kind: 'nvidia-smi', path: smi.path },
    driverVersion: gpus.rows.find((r) => r.driverVersion)?.driverVersion ?? versions.driverVersion,
    cudaVersion: versions.cudaVersion,
    gpus: withLostGpus(
      gpus.rows.map((r) => r.sample),
      [],
      gpus.unreachable,
    ),
    apps: appList,
    hostProcesses: processes.read(
      appList.map((a) => a.pid),
      hostSample.memoryTotalBytes,
      time,
    ),
    host: hostSample,
    notes,
  });
}
