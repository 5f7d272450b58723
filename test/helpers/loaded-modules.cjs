// Preloaded into the CLI under test (NODE_OPTIONS=--require): on exit, writes the
// CommonJS modules it loaded (better-sqlite3 is one) to $GPUMON_TEST_LOADED, so a
// test can check what a command's start-up did not load.
const { writeFileSync } = require('node:fs');
process.on('exit', () => writeFileSync(process.env.GPUMON_TEST_LOADED, JSON.stringify(Object.keys(require.cache))));
