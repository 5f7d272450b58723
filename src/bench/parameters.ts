import { UsageError } from '../exit-status.js';

/**
 * hyperfine's benchmark parameters: `-P VAR MIN MAX [-D DELTA]` and
 * `-L VAR V1,V2,...` (several: every combination), with `{VAR}` replaced in
 * the commands and their names. Values stay strings, as hyperfine writes them
 * in its JSON (`"parameters": {"n": "1"}`). Pure.
 */

export interface Parameter {
  readonly name: string;
  readonly values: readonly string[];
}

/** One combination of parameter values, in the order the parameters were given. */
export type ParameterValues = Readonly<Record<string, string>>;

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;
const decimals = (t: string) => (t.includes('.') ? t.length - t.indexOf('.') - 1 : 0);

/**
 * The values of `-P name min max [-D step]`. Integer bounds step by 1 unless
 * told; decimal bounds need a step, and every value is written with as many
 * decimals as the most precise of the three (0.30 0.7 -D 0.2: 0.30, 0.50, 0.70),
 * counted in integers so that no float drift adds or drops a value.
 */
export function scanParameter(name: string, min: string, max: string, step: string | null): Parameter {
  for (const [what, t] of [['MIN', min], ['MAX', max], ['DELTA', step ?? '1']] as const)
    if (!DECIMAL.test(t)) throw new UsageError(`--parameter-scan: ${what} '${t}' is not a number`);
  if (step === null && !(INTEGER.test(min) && INTEGER.test(max)))
    throw new UsageError("--parameter-scan: a step size is required when the range bounds are not integers: give it with -D/--parameter-step-size");
  const places = Math.max(decimals(min), decimals(max), decimals(step ?? '1'));
  const scaled = (t: string) => Math.round(Number(t) * 10 ** places);
  const [lo, hi, by] = [scaled(min), scaled(max), scaled(step ?? '1')];
  if (by === 0) throw new UsageError('--parameter-step-size: zero is not a valid step');
  if (by < 0 || lo > hi) throw new UsageError(`--parameter-scan: the range ${min}..${max} is empty`);
  const values: string[] = [];
  for (let v = lo; v <= hi; v += by) values.push(places ? (v / 10 ** places).toFixed(places) : String(v));
  return { name, values };
}

/** The values of `-L name a,b,c`. */
export function listParameter(name: string, list: string): Parameter {
  const values = list.split(',');
  if (values.some((v) => v === '')) throw new UsageError(`--parameter-list ${name}: '${list}' has an empty value`);
  return { name, values };
}

/** Every combination, the first parameter varying fastest (as hyperfine orders them); one empty combination without parameters. */
export function parameterCombinations(parameters: readonly Parameter[]): ParameterValues[] {
  const names = new Set<string>();
  for (const p of parameters) {
    if (names.has(p.name)) throw new UsageError(`the parameter '${p.name}' is given twice`);
    names.add(p.name);
  }
  let combos: Record<string, string>[] = [{}];
  for (const p of parameters) combos = p.values.flatMap((v) => combos.map((c) => ({ ...c, [p.name]: v })));
  // Each parameter's values wrap the combinations so far, so the first parameter varies fastest.
  return combos;
}

/** `{name}` replaced by its value, for every parameter. */
export function withParameters(text: string, values: ParameterValues): string {
  return Object.entries(values).reduce((t, [name, v]) => t.split(`{${name}}`).join(v), text);
}
