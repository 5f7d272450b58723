// Bundles src/ into dist/ with esbuild. One bundle with code splitting: the
// `--once`/`--json` path loads only its own chunk, and Ink/React load on demand
// (importing Ink unbundled costs ~0.5 s; bundled it is a fraction of that).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  // Ink only loads react-devtools-core when DEV=true; keep it out of the bundle.
  // better-sqlite3 is a native addon: it loads from node_modules (record, export, report only).
  external: ['react-devtools-core', 'better-sqlite3'],
  define: { 'process.env.NODE_ENV': '"production"' },
  // Some dependencies are CommonJS and call require(); give ESM chunks one.
  banner: {
    js: "import { createRequire as __gpumonCreateRequire } from 'node:module'; const require = __gpumonCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// bench run's measuring process (src/bench/gpumon-measure.c). Without a C
// compiler, bench run still runs, and says it measures wall time only.
const cc = process.env.CC || 'cc';
const measure = spawnSync(cc, ['-O2', '-Wall', '-o', 'dist/gpumon-measure', 'src/bench/gpumon-measure.c'], { cwd: root, stdio: 'inherit' });
if (measure.status !== 0)
  console.warn(`build: ${cc} could not build dist/gpumon-measure (${measure.error?.code ?? `exit ${measure.status}`}); bench run will not measure CPU or memory.`);
