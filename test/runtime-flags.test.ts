/**
 * `npm start` and `npm run serve` start node with the gateway's own flags (src/gateway/runtime.ts GATEWAY_NODE_FLAGS:
 * the young generation's size, which node takes only on its command line), and the commands still start through
 * npm with them. The query benchmark starts its gateway with the same list, so what it measures is what is deployed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../src/gateway/runtime.js';

vi.setConfig({ testTimeout: 60_000 });

const root = join(import.meta.dirname, '..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe.each([
  ['start', 'src/start.ts', 'npm start'],
  ['serve', 'src/gateway/main.ts', 'npm run serve'],
])('npm %s', (script, file, usage) => {
  it('starts node with the gateway flags', () => {
    expect(GATEWAY_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(scripts[script]).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} --import tsx ${file}`);
  });

  it('runs through npm with those flags (node accepts them) and prints its usage', () => {
    const res = spawnSync('npm', ['run', '--silent', script, '--', '--help'], { cwd: root, encoding: 'utf8', timeout: 55_000 });
    expect(res.stderr).not.toMatch(/bad option|is not allowed/);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^Usage: ${usage}`));
  });
});

it('a node started with the flags has the larger young generation', () => {
  // V8 takes the size only at start: new space is two semi-spaces, 2 x 16 MB at most by default.
  const probe = `const v8 = require('node:v8'); const keep = []; for (let r = 0; r < 20; r++) { const a = []; for (let i = 0; i < 200000; i++) a.push({ i }); keep.push(a); if (keep.length > 3) keep.shift(); } console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)`;
  const withFlags = Number(spawnSync(process.execPath, [...GATEWAY_NODE_FLAGS, '-e', probe], { encoding: 'utf8' }).stdout);
  const bare = Number(spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).stdout);
  const semiSpaceMb = Number(/^--max-semi-space-size=(\d+)$/.exec(GATEWAY_NODE_FLAGS.find((f) => f.startsWith('--max-semi-space-size='))!)![1]);
  expect(semiSpaceMb).toBeGreaterThan(16);
  expect(bare).toBeLessThanOrEqual(2 * 16 * 1024 * 1024);
  expect(withFlags).toBe(2 * semiSpaceMb * 1024 * 1024);
});
