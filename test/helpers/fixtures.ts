import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const H100_DIR = fileURLToPath(new URL('../../fixtures/h100-80gb-hbm3__580.159.04/', import.meta.url));

/** A file from the real H100 captures. */
export function h100(name: string): string {
  return readFileSync(`${H100_DIR}${name}`, 'utf8');
}

export const FAKE_SMI = fileURLToPath(new URL('../fake-nvidia-smi/nvidia-smi', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bin/gpumon.js', import.meta.url));

export const H100_UUID = 'GPU-83f940cf-1e20-11a7-9070-127ab0ea4091';

export const HYPERFINE_DIR = fileURLToPath(new URL('../../fixtures/hyperfine-1.15/', import.meta.url));

/** A file hyperfine 1.15 (Debian's) wrote: fixtures/hyperfine-1.15/README.md says how. */
export function hyperfineFile(name: string): string {
  return readFileSync(`${HYPERFINE_DIR}${name}`, 'utf8');
}
