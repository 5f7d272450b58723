// `npm run bench`: builds each bench/*.bench.ts with esbuild and runs them in
// turn, so every section measures the same build on the same machine in one run.
// `npm run bench -- once monitor` runs only the sections whose names match.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: benches.map((f) => `bench/${f}`),
  outdir: 'bench/out',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

let failed = false;
for (const f of benches) {
  const out = `${here}out/${f.replace(/\.ts$/, '.mjs')}`;
  console.log(`\n## ${f.replace('.bench.ts', '')}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', out], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
