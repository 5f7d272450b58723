import { describe, expect, it } from 'vitest';
import { listParameter, parameterCombinations, scanParameter, withParameters } from '../../src/bench/parameters.js';

describe("hyperfine's parameters", () => {
  it('-P scans integers by 1, or by -D', () => {
    expect(scanParameter('n', '1', '4', null).values).toEqual(['1', '2', '3', '4']);
    expect(scanParameter('n', '1', '3', '2').values).toEqual(['1', '3']);
    expect(scanParameter('n', '-2', '0', null).values).toEqual(['-2', '-1', '0']);
  });

  it('decimal bounds step in decimals without float drift, written as precisely as the most precise of the three (as hyperfine 1.15 writes them)', () => {
    expect(scanParameter('d', '0.3', '0.7', '0.2').values).toEqual(['0.3', '0.5', '0.7']);
    expect(scanParameter('d', '0.30', '0.7', '0.2').values).toEqual(['0.30', '0.50', '0.70']);
    // 0.1 + 0.2 is 0.30000000000000004 in floats: the scan must still reach 0.3 and stop there.
    expect(scanParameter('d', '0.1', '0.3', '0.1').values).toEqual(['0.1', '0.2', '0.3']);
    expect(scanParameter('d', '0.5', '2.5', '1').values).toEqual(['0.5', '1.5', '2.5']);
  });

  it('refuses what hyperfine refuses, saying why', () => {
    expect(() => scanParameter('d', '0.3', '0.7', null)).toThrow(/a step size is required/);
    expect(() => scanParameter('n', '3', '1', null)).toThrow(/the range 3\.\.1 is empty/);
    expect(() => scanParameter('n', '1', '3', '0')).toThrow(/zero is not a valid step/);
    expect(() => scanParameter('n', '1', 'x', null)).toThrow(/MAX 'x' is not a number/);
    expect(() => listParameter('m', 'a,,b')).toThrow(/empty value/);
  });

  it('several -L: every combination, the first parameter varying fastest (hyperfine: 1x 2x 1y 2y)', () => {
    const combos = parameterCombinations([listParameter('a', '1,2'), listParameter('b', 'x,y')]);
    expect(combos.map((c) => withParameters('{a}{b}', c))).toEqual(['1x', '2x', '1y', '2y']);
    expect(parameterCombinations([])).toEqual([{}]);
    expect(() => parameterCombinations([listParameter('a', '1'), listParameter('a', '2')])).toThrow(/given twice/);
  });

  it('replaces every {name}, and leaves other braces alone', () => {
    expect(withParameters('make -j {n} && echo {n} {other} ${HOME}', { n: '8' })).toBe('make -j 8 && echo 8 {other} ${HOME}');
  });
});
