import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_SMI } from '../helpers/fixtures.js';
import { TmuxPane } from '../helpers/tmux.js';

let pane: TmuxPane | null = null;
afterEach(() => {
  pane?.kill();
  pane = null;
});

describe('gpumon in a real terminal', () => {
  it('draws on the alternate screen; q quits with status 0 and gives the terminal back', async () => {
    pane = new TmuxPane(['--demo'], {});
    await pane.waitForText(/── Processes|GPU +PID USER/);
    expect(pane.capture()[0]).toMatch(/^gpumon \d+\.\d+\.\d+ {2}DEMO/);
    expect(pane.state()).toMatchObject({ alternate: true, cursor: false });
    pane.send('h');
    await pane.waitForText(/I {2}T {2}K +send SIGINT/);
    pane.send('x');
    await pane.waitForText(/q quit {2}h help/);
    pane.send('q');
    expect(await pane.exited()).toBe(0);
    expect(pane.state()).toMatchObject({ alternate: false, cursor: true });
  });

  it('SIGTERM restores the terminal too, and exits 143', async () => {
    pane = new TmuxPane(['--demo', 'h100'], {});
    await pane.waitForText(/q quit/);
    process.kill(pane.gpumonPid(), 'SIGTERM');
    expect(await pane.exited()).toBe(143);
    expect(pane.state()).toMatchObject({ alternate: false, cursor: true });
  });

  it('fits an 80x10 pane with 4 GPUs: compact, nothing wraps', async () => {
    pane = new TmuxPane(['--demo', '--only', '0,1,2,3'], {}, 80, 10);
    await pane.waitForText(/GPU +PID USER/);
    const lines = pane.capture().slice(0, 10);
    expect(lines.slice(1, 5).every((l, i) => l.startsWith(` ${i} H100`))).toBe(true);
    expect(lines[9]).toMatch(/^q quit/);
  });

  it('shows stale data as stale when nvidia-smi stalls, with keys still working', async () => {
    pane = new TmuxPane(['--interval', '0.25'], { GPUMON_NVIDIA_SMI: FAKE_SMI, FAKE_SMI_SCENARIO: 'series', FAKE_SMI_STALL_AT: '4' });
    await pane.waitForText(/STALE since \d\d:\d\d:\d\d: nvidia-smi has sent nothing new/);
    pane.send('h');
    await pane.waitForText(/this help/);
    pane.send('q', 'q');
    expect(await pane.exited()).toBe(0);
  });

  it('without nvidia-smi it says so on the normal screen and exits 3, never drawing', async () => {
    pane = new TmuxPane([], { GPUMON_NVIDIA_SMI: '/nonexistent/nvidia-smi' });
    expect(await pane.exited()).toBe(3);
    expect(pane.state()).toMatchObject({ alternate: false, cursor: true });
    expect(pane.capture().join('\n')).toMatch(/nvidia-smi was not found .*gpumon --demo/s);
  });
});
