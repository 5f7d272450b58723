import { afterEach, describe, expect, it } from 'vitest';
import { ServeProcess } from '../helpers/serve.js';
import { TmuxPane } from '../helpers/tmux.js';

let pane: TmuxPane | null = null;
let servers: ServeProcess[] = [];
afterEach(async () => {
  pane?.kill();
  pane = null;
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

describe('the monitor over a fleet (--remote), in a real terminal', () => {
  it('lists every host’s GPUs under the fleet line; a killed host becomes an alert while the other keeps updating', async () => {
    servers = await Promise.all([ServeProcess.start(['--demo', '8xh100', '-i', '0.5']), ServeProcess.start(['--demo', 'h100', '-i', '0.5'])]);
    pane = new TmuxPane(['--remote', servers.map((s) => s.url).join(','), '--timeout', '2', '-i', '0.5', '--compact'], {}, 120, 30);
    await pane.waitForText(/GPU +PID USER/);
    const lines = pane.capture();
    expect(lines[0]).toMatch(/^gpumon \S+ {2}DEMO {2}Fleet {2}2 hosts {3}GPUs 9: \d busy {3}memory/);
    expect(lines.filter((l) => /^ \d dgx-demo H100 80GB HBM3 +UTL/.test(l))).toHaveLength(8);
    expect(lines.filter((l) => /^ 0 h100-demo H100 80GB HBM3 UTL/.test(l))).toHaveLength(1);
    expect(lines.some((l) => /ALERT/.test(l))).toBe(false);
    // Signals would reach local PIDs: a fleet is read-only.
    pane.send('Down', 'K');
    await pane.waitForText(/Read-only: signals are off/);

    await servers[1]!.stop('SIGKILL');
    await pane.waitForText(/1 ALERT +h100-demo (the server closed the stream|connection reset|connection refused)/);
    expect(pane.capture()[0]).toMatch(/Fleet {2}2 hosts, 1 down {3}GPUs 8:/);
    // The bar sits on the row above the status line, which stays last.
    const screen = pane.capture().slice(0, 30);
    expect(screen[28]).toMatch(/^ 1 ALERT /);
    expect(screen[29]).toMatch(/^(q quit|Read-only)/);
    // The host that is up keeps updating: its GPU lines change as its recording plays on.
    const gpuLines = () => pane!.capture().filter((l) => / dgx-demo H100/.test(l)).join('\n');
    const before = gpuLines();
    await pane.waitFor(() => gpuLines() !== before, 8000);
    expect(gpuLines().split('\n')).toHaveLength(8);
    pane.send('q');
    expect(await pane.exited()).toBe(0);
  });
});
