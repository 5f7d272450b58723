import { describe, expect, it } from 'vitest';
import { headerName, readCell, readEnabled, readNumber, splitCsvLine } from '../../src/sampler/nvidia-smi/cells.js';

describe('readCell', () => {
  it.each([
    ['[N/A]', 'not_available'],
    ['N/A', 'not_available'],
    ['[Not Supported]', 'not_supported'],
    ['[Unknown Error]', 'unknown_error'],
    ['[GPU is lost]', 'gpu_lost'],
    ['[Insufficient Permissions]', 'insufficient_permissions'],
    ['[Requested functionality has been deprecated]', 'deprecated'],
    ['[Not Found]', 'not_found'],
    ['[Something New]', 'unparseable'],
    ['', 'unparseable'],
  ])('%s is null because %s', (raw, reason) => {
    expect(readCell(` ${raw} `)).toEqual({ ok: false, reason });
  });

  it('a missing cell says so', () => {
    expect(readCell(undefined)).toEqual({ ok: false, reason: 'missing_cell' });
  });
});

describe('readNumber', () => {
  it.each([
    ['81559 MiB', 81559],
    ['0 %', 0],
    ['72.26 W', 72.26],
    ['345 MHz', 345],
    ['38', 38],
    ['698.81', 698.81],
  ])('reads %s with or without its unit', (raw, value) => {
    expect(readNumber(raw)).toEqual({ value });
  });

  it('never returns NaN', () => {
    for (const raw of ['abc', '12abc', '1.2.3', '0x10', 'NaN', '--5']) expect(readNumber(raw)).toEqual({ value: null, reason: 'unparseable' });
  });
});

describe('readEnabled', () => {
  it('maps Enabled/Disabled and rejects other text', () => {
    expect(readEnabled('Enabled')).toEqual({ value: true });
    expect(readEnabled('Disabled')).toEqual({ value: false });
    expect(readEnabled('[N/A]')).toEqual({ value: null, reason: 'not_available' });
    expect(readEnabled('Maybe')).toEqual({ value: null, reason: 'unparseable' });
  });
});

describe('splitCsvLine', () => {
  it('splits on commas and trims', () => {
    expect(splitCsvLine('912, python3, 21610, GPU-x', 4, 1)).toEqual(['912', 'python3', '21610', 'GPU-x']);
  });

  it('gives the extra pieces to the free-text column, reading outside-in', () => {
    expect(splitCsvLine('4002, C:\\Program Files\\App, Inc\\app.exe, [N/A], GPU-x', 4, 1)).toEqual([
      '4002',
      'C:\\Program Files\\App, Inc\\app.exe',
      '[N/A]',
      'GPU-x',
    ]);
    expect(splitCsvLine('1, a,b,,c, 5, GPU-x', 4, 1)).toEqual(['1', 'a,b,,c', '5', 'GPU-x']);
  });

  it('leaves short rows short (the caller reports them)', () => {
    expect(splitCsvLine('1, 2', 4, 1)).toEqual(['1', '2']);
  });
});

describe('headerName', () => {
  it('drops the unit', () => {
    expect(headerName(' clocks.current.sm [MHz]')).toBe('clocks.current.sm');
    expect(headerName('index')).toBe('index');
  });
});
