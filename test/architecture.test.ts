import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The joints of src/: no import circles, and layers that import only
 * downwards. Read from the sources with TypeScript's parser, so that type
 * imports count (a circle of types is still a circle) and comments do not.
 */

/** The layers, lowest first: a file may import from its own layer and the ones below. Files directly in src/ rank lowest. */
const RANK: Readonly<Record<string, number>> = { model: 0, config: 1, sampler: 2, db: 3, bench: 4, views: 5, serve: 6, cli: 7 };

/** Packages that `--once` and `--json` must not load (Ink and React cost ~0.5 s; the rest belong to other commands). */
const NOT_FOR_ONCE = ['ink', 'react', 'better-sqlite3', 'prom-client', 'execa'];

interface Import {
  readonly spec: string;
  /** `import type` / `export type`: gone once compiled. */
  readonly typeOnly: boolean;
  /** `import('...')`: loaded when the code runs, not with the module. */
  readonly dynamic: boolean;
}

/** Every import of a module: static, re-exports, type-only and dynamic. */
function importsOf(path: string, text: string): Import[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
      found.push({ spec: node.moduleSpecifier.text, typeOnly, dynamic: false });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push({ spec: node.arguments[0].text, typeOnly: false, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

interface Edge extends Import {
  /** The imported file (under src/), or null for a package. */
  readonly to: string | null;
}

type Graph = ReadonlyMap<string, readonly Edge[]>;

/** The import graph of `sources` (path under src/ -> text): relative imports resolved to the files (`.js` -> `.ts`/`.tsx`). */
function importGraph(sources: ReadonlyMap<string, string>): Graph {
  const resolve = (from: string, spec: string): string | null => {
    const base = join(dirname(from), spec).replace(/\.js$/, '');
    return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => sources.has(f)) ?? null;
  };
  return new Map(
    [...sources].map(([path, text]) => [path, importsOf(path, text).map((i) => ({ ...i, to: i.spec.startsWith('.') ? resolve(path, i.spec) : null }))]),
  );
}

/** Each import circle, as one path round it: `a.ts -> b.ts -> a.ts`. */
function circles(graph: Graph): string[] {
  const next = (f: string) => [...new Set((graph.get(f) ?? []).flatMap((e) => (e.to === null ? [] : [e.to])))];
  // Tarjan's strongly connected components: each one of more than one file (or a file importing itself) holds a circle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || next(v).includes(v)) found.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  // A shortest way from the component's first file back to it, within the component.
  return found.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0]!;
    const from = new Map<string, string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const w of next(queue[i]!).filter((x) => inside.has(x))) {
        if (w === start) {
          const path = [queue[i]!];
          while (path[0] !== start) path.unshift(from.get(path[0]!)!);
          return [...path, start].join(' -> ');
        }
        if (!from.has(w)) {
          from.set(w, queue[i]!);
          queue.push(w);
        }
      }
    }
    throw new Error(`no way round ${component.join(', ')}`);
  });
}

/** The layer of a file under src/: its folder's rank; a file directly in src/ ranks below every layer; undefined for a folder with no rank. */
function rankOf(path: string): number | undefined {
  const folder = path.split('/');
  return folder.length === 1 ? -1 : RANK[folder[0]!];
}

/** Imports from a lower layer to a higher one, as `from -> to`. */
function upwardImports(graph: Graph): string[] {
  return [...graph].flatMap(([from, edges]) => edges.filter((e) => e.to !== null && rankOf(e.to)! > rankOf(from)!).map((e) => `${from} -> ${e.to}`));
}

/** The files reachable from `start` through the imports `follow` takes. */
function reached(graph: Graph, start: string, follow: (e: Edge) => boolean): Set<string> {
  const seen = new Set([start]);
  for (const f of seen) for (const e of graph.get(f) ?? []) if (e.to !== null && follow(e)) seen.add(e.to);
  return seen;
}

const loads = (e: Edge) => !e.typeOnly && !e.dynamic;
const isStatic = (e: Edge) => !e.dynamic;

/** The files a module loads with it: its static imports, followed (type-only and dynamic ones are not). */
const loadedWith = (graph: Graph, start: string) => reached(graph, start, loads);

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function readSources(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readSources(path, out);
    else if (/\.tsx?$/.test(entry.name)) out.set(relative(SRC, path), readFileSync(path, 'utf8'));
  }
  return out;
}

const graph = importGraph(readSources(SRC));

describe('the import graph of src/', () => {
  it('is read from every file', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('cli/main.ts')?.some((e) => e.to === 'cli/monitor/command.ts')).toBe(true);
    // The action loads the monitor only when it runs.
    expect(graph.get('cli/monitor/command.ts')?.find((e) => e.to === 'cli/monitor/run.tsx')).toMatchObject({ dynamic: true });
  });

  it('has no import circle', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('has a rank for every folder', () => {
    expect([...graph.keys()].filter((f) => rankOf(f) === undefined)).toEqual([]);
  });

  it(`imports only downwards: ${Object.keys(RANK).join(' < ')}`, () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it("keeps each command's flags apart from the commands and their runs, and loads a run only when its command runs", () => {
    const isRun = (f: string) => /^cli\/.*(command\.ts|run\.tsx?)$/.test(f);
    const flags = [...graph.keys()].filter((f) => /^cli\/.*flags\.ts$/.test(f));
    expect(flags.length).toBeGreaterThan(5);
    for (const f of flags) expect([...reached(graph, f, isStatic)].filter(isRun), f).toEqual([]);
    const commands = [...graph.keys()].filter((f) => f.startsWith('cli/') && f.endsWith('command.ts'));
    for (const f of commands) expect([...loadedWith(graph, f)].filter((x) => /run\.tsx?$/.test(x)), f).toEqual([]);
  });

  it(`loads none of ${NOT_FOR_ONCE.join(', ')} for --once and --json`, () => {
    const files = new Set([...loadedWith(graph, 'cli/main.ts'), ...loadedWith(graph, 'cli/once/run.ts')]);
    const packages = [...files].flatMap((f) => graph.get(f)!.filter((e) => loads(e) && NOT_FOR_ONCE.includes(e.spec)).map((e) => `${f} -> ${e.spec}`));
    expect(packages).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const fake = importGraph(
    new Map([
      ['model/a.ts', "import type { B } from './b.js';\nexport const a = 1;"],
      ['model/b.ts', "export { c } from './c.js';\nexport type B = number;"],
      ['model/c.ts', "// import { x } from './a.js'\nexport const c = async () => (await import('./a.js')).a;"],
      ['model/d.ts', "import {\n  type Ink,\n  c,\n} from './c.js';\nimport { render } from 'ink';"],
      ['sampler/e.ts', "import { v } from '../views/v.js';"],
      ['views/v.ts', "import { c } from '../model/c.js';\nexport const v = 1;"],
    ]),
  );

  it('reads static, re-exported, type-only, multi-line and dynamic imports, and not comments', () => {
    expect(fake.get('model/a.ts')).toEqual([{ spec: './b.js', to: 'model/b.ts', typeOnly: true, dynamic: false }]);
    expect(fake.get('model/b.ts')).toEqual([{ spec: './c.js', to: 'model/c.ts', typeOnly: false, dynamic: false }]);
    expect(fake.get('model/c.ts')).toEqual([{ spec: './a.js', to: 'model/a.ts', typeOnly: false, dynamic: true }]);
    expect(fake.get('model/d.ts')!.map((e) => e.to ?? e.spec)).toEqual(['model/c.ts', 'ink']);
  });

  it('finds a circle, type imports and dynamic imports included, and names its files', () => {
    expect(circles(fake)).toEqual(['model/a.ts -> model/b.ts -> model/c.ts -> model/a.ts']);
  });

  it('finds an import from a lower layer to a higher one', () => {
    expect(upwardImports(fake)).toEqual(['sampler/e.ts -> views/v.ts']);
  });

  it('follows only what loads with a module', () => {
    expect([...loadedWith(fake, 'model/d.ts')].sort()).toEqual(['model/c.ts', 'model/d.ts']);
    expect([...reached(fake, 'model/a.ts', isStatic)].sort()).toEqual(['model/a.ts', 'model/b.ts', 'model/c.ts']);
  });
});
