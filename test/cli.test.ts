/**
 * The three commands explain themselves: --help prints usage and exits 0, an unknown flag is one line and exit 2,
 * `npm run serve` started bare says where it will send requests and how to use the sandbox instead, `npm start`
 * keeps the gateway on this machine. Plus the files a newcomer reads first: .env.example lists every variable the
 * gateway reads, and no installed package wants a newer Node than the one package.json's engines (and README) name.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Each case starts a tsx process; on a busy two-core machine that alone can take seconds.
vi.setConfig({ testTimeout: 60_000 });

const root = join(import.meta.dirname, '..');
const COMMANDS = { 'npm start': 'src/start.ts', 'npm run serve': 'src/gateway/main.ts', 'npm run sandbox': 'src/sandbox/main.ts' };

function run(file: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, file), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 55_000,
  });
}

describe.each(Object.entries(COMMANDS))('%s', (command, file) => {
  it('prints its usage on --help and exits 0 without starting anything', () => {
    const res = run(file, ['--help'], { PORT: '0', SANDBOX_PORT: '0' });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Usage: ${command}`));
    expect(res.stdout).not.toMatch(/listening|gateway: http/);
  });

  it('answers an unknown flag with one line naming it and exit code 2', () => {
    const res = run(file, ['--prot', '80']);
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/--prot/);
    expect(res.stderr).toMatch(/--help/);
  });
});

it('npm run serve with no UPSTREAM_URL and no key says it will call the real Wix host and how to use the sandbox', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/gateway/main.ts')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', UPSTREAM_URL: '', WIX_API_KEY: '', LOG_LEVEL: 'silent', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => /gateway: http/.test(out) && resolve());
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
  expect(out).toMatch(/no UPSTREAM_URL and no WIX_API_KEY: calling the real Wix APIs at https:\/\/www\.wixapis\.com/);
  expect(out).toMatch(/npm run sandbox -- --seed 1/);
  expect(out).toMatch(/UPSTREAM_URL=http:\/\/127\.0\.0\.1:4001/);
});

it('.env.example lists every variable the gateway reads, with a value or an empty default', () => {
  const example = readFileSync(join(root, '.env.example'), 'utf8');
  const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const config = readFileSync(join(root, 'src/gateway/config.ts'), 'utf8');
  const read = new Set([...config.matchAll(/env\.([A-Z][A-Z0-9_]*)|env, '([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1] ?? m[2]));
  read.add('SANDBOX_PORT');
  expect(read.size).toBeGreaterThan(15);
  expect([...read].filter((name) => !listed.has(name!)), 'add these to .env.example').toEqual([]);
  expect([...listed].filter((name) => !read.has(name)), 'listed but read by nobody').toEqual([]);
});

it('no installed package needs a newer Node than engines and the README name, and this Node satisfies them', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const minimum = pkg.engines.node.replace(/^>=\s*/, '');
  expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`Node ${minimum}`);
  expect(satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  const wantNewer = Object.entries<any>(lock.packages)
    .filter(([, p]) => p.engines?.node && !satisfies(minimum, p.engines.node))
    .map(([path, p]) => `${path} wants ${p.engines.node}`);
  expect(wantNewer).toEqual([]);
});

/** npm's engine check for the range forms package locks hold (`>=a`, `^a`, `a.x`, `a || b`, `>=a <b`). */
function satisfies(version: string, range: string): boolean {
  const v = parts(version);
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/([<>]=?)\s+/g, '$1')
      .split(/\s+/)
      .every((cond) => {
        const m = /^(>=|<=|>|<|\^|~|=)?v?([\d.x*]+)$/.exec(cond);
        if (!m) throw new Error(`range form not understood: "${range}"`);
        const [, op = '=', raw] = m;
        const want = parts(raw!.replace(/\.?[x*].*$/, ''));
        const c = compare(v, want);
        const fixed = raw!.replace(/\.?[x*].*$/, '').split('.').filter(Boolean).length;
        if (op === '>=') return c >= 0;
        if (op === '>') return c > 0;
        if (op === '<') return c < 0;
        if (op === '<=') return c <= 0;
        if (op === '^') return c >= 0 && v[0] === want[0];
        if (op === '~') return c >= 0 && v[0] === want[0] && v[1] === want[1];
        return v.slice(0, fixed).every((n, i) => n === want[i]);
      }),
  );
}

function parts(version: string): number[] {
  const [a = 0, b = 0, c = 0] = version.split('.').filter(Boolean).map(Number);
  return [a, b, c];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
