// System programs some tests drive for real (a browser, promtool). `npm test`
// runs this first: it installs what is missing with apt-get when it can (root,
// Debian), and otherwise says exactly what to install, so no test is skipped.
import { execFileSync, spawnSync } from 'node:child_process';

/** [program on PATH, Debian package, what needs it] */
const NEEDED = [
  ['tmux', 'tmux', 'the monitor tests in a real terminal'],
  ['chromium', 'chromium', 'the report test in a real browser'],
  ['promtool', 'prometheus', 'the /metrics check'],
];

const missing = NEEDED.filter(([program]) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0);
if (missing.length > 0) {
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const canInstall = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (!canInstall) {
    console.error(`The tests need: ${missing.map(([p, pkg, why]) => `${p} (Debian package ${pkg}, for ${why})`).join('; ')}.`);
    console.error(`Install them, e.g.: sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing ${packages.join(' ')} for the tests...`);
  const apt = (args) => execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', '--no-install-recommends', ...packages]);
  } catch {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', ...packages]);
  }
}
