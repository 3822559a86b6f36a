/**
 * The layering ARCHITECTURE.md describes, checked on the source: the sandbox and the gateway share only src/wire, and in
 * the gateway only config.ts reads process.env.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

function offenders(dir: string, forbidden: RegExp): string[] {
  return sources(join(root, dir)).flatMap((file) =>
    importsOf(file)
      .filter((spec) => spec.startsWith('.') && forbidden.test(join(file, '..', spec)))
      .map((spec) => `${relative(root, file)} imports ${spec}`),
  );
}

describe('architecture', () => {
  it('keeps the gateway from importing the sandbox', () => {
    expect(offenders('src/gateway', /src[\\/]sandbox/)).toEqual([]);
  });

  it('keeps the sandbox from importing the gateway', () => {
    expect(offenders('src/sandbox', /src[\\/]gateway/)).toEqual([]);
  });

  it('keeps the wire types free of both sides', () => {
    expect(offenders('src/wire', /src[\\/](gateway|sandbox)/)).toEqual([]);
  });

  it('reads process.env in the gateway only in config.ts', () => {
    const readers = sources(join(root, 'src/gateway'))
      .filter((file) => /process\.env/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(readers).toEqual(['src/gateway/config.ts']);
  });
});
