import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnviron, readEnviron } from '../../src/sampler/host/proc-environ.js';

describe('parseEnviron', () => {
  it('splits NUL-separated entries at the first =, keeping = in values and skipping empty entries', () => {
    const vars = parseEnviron('CUDA_VISIBLE_DEVICES=0,1\0OPTS=a=b\0\0NOEQ\0SLURM_JOB_ID=42\0');
    expect([...vars]).toEqual([
      ['CUDA_VISIBLE_DEVICES', '0,1'],
      ['OPTS', 'a=b'],
      ['SLURM_JOB_ID', '42'],
    ]);
  });
});

describe('readEnviron', () => {
  it("reads this process's own environment", () => {
    const env = readEnviron(process.pid);
    expect('vars' in env && env.vars.get('PATH')).toBe(process.env.PATH);
  });

  it('says when the process is gone', () => {
    const root = mkdtempSync(join(tmpdir(), 'gpumon-proc-'));
    mkdirSync(join(root, '7'));
    writeFileSync(join(root, '7', 'environ'), 'A=1\0');
    expect(readEnviron(7, root)).toEqual({ vars: new Map([['A', '1']]) });
    expect(readEnviron(8, root)).toEqual({ unreadable: 'the process has exited' });
  });
});
