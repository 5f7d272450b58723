import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** gpumon's install folder (where package.json is), from the bundle in dist/ or from src/ under test. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('gpumon: cannot find its package folder');
    dir = up;
  }
  root = dir;
  return dir;
}
