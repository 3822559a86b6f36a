/**
 * Every document a source comment cites is in the repository, so a clone can follow it: a `*.md` file, a section
 * `§N` of docs/upstream.md (a bare § means that file), a "seed NNN" summary in docs/upstream.md, an
 * "ARCHITECTURE.md convention N". Scans src/, test/, bench/ and scripts/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const SELF = relative(root, import.meta.filename);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'results') return [];
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every markdown file of the repository by path and by basename (node_modules excluded). */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [relative(root, path)] : [];
  });
}

const UPSTREAM_DOC = 'docs/upstream.md';
const upstreamText = existsSync(join(root, UPSTREAM_DOC)) ? readFileSync(join(root, UPSTREAM_DOC), 'utf8') : '';
/** Section ids of docs/upstream.md: "## 5. …" gives 5, "### 5.1 …" gives 5.1. */
const sections = new Set([...upstreamText.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!));
const seeds = new Set([...upstreamText.matchAll(/^### Seed (\d{3})\b/gm)].map((m) => m[1]!));
const architecture = existsSync(join(root, 'ARCHITECTURE.md')) ? readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8') : '';
const conventions = new Set([...(architecture.split(/^## Conventions/m)[1] ?? '').matchAll(/^(\d+)\. /gm)].map((m) => m[1]!));
const markdown = markdownFiles(root);

// Patterns are built from pieces so this file does not cite anything itself.
const MD = new RegExp('([\\w./-]*[\\w-]+\\.' + 'md)\\b', 'g');
const SECTION = new RegExp('\u00a7(\\d+(?:\\.\\d+)?)', 'g');
const SEED = new RegExp('\\bseeds? (\\d{3}(?:/\\d{3})*)', 'gi');
const CONVENTION = new RegExp('ARCHITECTURE\\.' + 'md convention (\\d+)', 'g');

interface Finding {
  at: string;
  cited: string;
}

function unresolved(): Finding[] {
  const out: Finding[] = [];
  for (const file of ['src', 'test', 'bench', 'scripts'].flatMap((d) => (existsSync(join(root, d)) ? files(join(root, d)) : []))) {
    const rel = relative(root, file);
    if (rel === SELF) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const at = `${rel}:${i + 1}`;
      for (const m of line.matchAll(MD)) {
        const cited = m[1]!;
        const found = cited.includes('/') ? markdown.includes(cited.replace(/^\.\//, '')) : markdown.some((p) => basename(p) === cited);
        if (!found) out.push({ at, cited });
      }
      for (const m of line.matchAll(SECTION)) {
        const before = line.slice(0, m.index);
        // "issue #5 §1" cites an issue, not a document of this repository.
        if (/issue #?\d+\s*$/i.test(before)) continue;
        const doc = [...before.matchAll(MD)].at(-1)?.[1];
        if (doc && !doc.endsWith(UPSTREAM_DOC)) continue; // a § of another document: the .md check covers the file
        if (!sections.has(m[1]!)) out.push({ at, cited: `${UPSTREAM_DOC} \u00a7${m[1]}` });
      }
      for (const m of line.matchAll(SEED)) {
        for (const n of m[1]!.split('/')) if (!seeds.has(n)) out.push({ at, cited: `seed ${n}` });
      }
      for (const m of line.matchAll(CONVENTION)) {
        if (!conventions.has(m[1]!)) out.push({ at, cited: `ARCHITECTURE convention ${m[1]}` });
      }
    });
  }
  return out;
}

describe('citations', () => {
  it('docs/upstream.md has the numbered sections and seed summaries comments cite', () => {
    for (const id of ['0', '0.2', '1.4', '1.8', '2.6', '3.6', '5.5', '7.2', '9']) expect(sections.has(id), id).toBe(true);
    expect([...seeds].sort()).toEqual(['000', '001', '002', '003', '004']);
    expect(conventions.size).toBeGreaterThanOrEqual(12);
  });

  it('every document, section, seed and convention cited in src/, test/, bench/ and scripts/ is in the repository', () => {
    expect(unresolved()).toEqual([]);
  });
});
