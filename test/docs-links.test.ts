import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The README and docs/: every relative link leads somewhere, and every docs page leads back to the README. */

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownUnder(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

const DOCS = markdownUnder('docs');
const FILES = ['README.md', ...DOCS];
const text = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchors(path: string): Set<string> {
  const body = text(path).replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...body.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

/** [text](target) links outside code, without a scheme: relative paths and #anchors. */
function relativeLinks(path: string): string[] {
  const body = text(path)
    .replace(/^```[\s\S]*?^```/gm, '')
    .replace(/`[^`\n]*`/g, (code) => (code.includes('](') ? '' : code));
  return [...body.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/i.test(t));
}

describe('README and docs/: relative links', () => {
  it('finds the docs pages', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['docs/monitor.md', 'docs/bench-run.md', 'docs/exit-status.md', 'docs/settings.md']));
  });

  it.each(FILES)('%s: every relative link names a file that exists, and an anchor that does', (path) => {
    const broken = relativeLinks(path).filter((target) => {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const to = file === '' ? path : relative(ROOT, join(ROOT, dirname(path), file));
      if (!existsSync(join(ROOT, to))) return true;
      return anchor !== undefined && (!statSync(join(ROOT, to)).isFile() || !to.endsWith('.md') || !anchors(to).has(anchor));
    });
    expect(broken).toEqual([]);
  });

  it.each(DOCS)('%s: a one-line title, then a link back to the README', (path) => {
    const [title, blank, back] = text(path).split('\n');
    expect(title).toMatch(/^# \S/);
    expect(blank).toBe('');
    expect(back).toContain(`[README](${relative(dirname(path), 'README.md')})`);
  });

  it('the README links every docs page', () => {
    const linked = new Set(relativeLinks('README.md').map((t) => t.split('#')[0]));
    expect(DOCS.filter((d) => !linked.has(d))).toEqual([]);
  });
});
