/**
 * `nvidia-smi --version` prints `KEY : value` lines:
 *   DRIVER version : 580.159.04      (driver 610+: "KMD version")
 *   CUDA Version   : 13.0            (driver 610+: "CUDA UMD version")
 */
export interface SmiVersions {
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
}

const DRIVER_KEYS = ['driver version', 'kmd version'];
const CUDA_KEYS = ['cuda version', 'cuda umd version'];

export function parseSmiVersion(text: string): SmiVersions {
  let driverVersion: string | null = null;
  let cudaVersion: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^:]+?)\s*:\s*(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    const key = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    if (DRIVER_KEYS.includes(key)) driverVersion = value;
    else if (CUDA_KEYS.includes(key)) cudaVersion = value;
  }
  return { driverVersion, cudaVersion };
}
