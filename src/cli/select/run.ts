import { cudaVisibleDevices, judgeGpus, qualifying } from '../../model/gpu-pick.js';
import { GpuLocks, locksDir } from '../../sampler/host/gpu-locks.js';
import { pickJson, tooFewText, unfitLines } from '../../views/text/gpu-pick.js';
import { CliError, EXIT } from '../../exit-status.js';
import { criteriaOf, type SelectFlags } from './flags.js';
import { readPickSnapshot } from './source.js';

/** `gpumon select`: prints the chosen GPUs, or fails (exit 1) with each GPU's reasons. GPUs a `gpumon wait` holds do not qualify. */
export async function runSelect(flags: SelectFlags, stdout: { write(text: string): unknown }, env: NodeJS.ProcessEnv): Promise<number> {
  const criteria = criteriaOf(flags);
  const snapshot = await readPickSnapshot(flags, env);
  const locks = new GpuLocks(locksDir(env));
  const verdicts = judgeGpus(snapshot, criteria, (uuid) => locks.holderOf(uuid));
  const chosen = qualifying(verdicts).slice(0, criteria.count);
  const enough = chosen.length === criteria.count;
  const devices = cudaVisibleDevices(chosen, flags.uuid === true);
  if (flags.json) stdout.write(pickJson(verdicts, enough ? chosen.map((g) => g.uuid) : [], devices));
  else if (enough) stdout.write(`${devices}\n`);
  if (!enough) throw new CliError(tooFewText(verdicts, criteria), EXIT.tooFewGpus, unfitLines(verdicts));
  return EXIT.ok;
}
