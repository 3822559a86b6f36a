/**
 * vitest globalSetup: the live tests need Redis. When REDIS_URL is set it is used as given. When it is unset and
 * redis-server is installed, a throwaway one is started on a free port for this run (no persistence, its own temp
 * dir) and REDIS_URL/REQUIRE_REDIS are set for every test worker, so `npm test` on a fresh machine runs the whole
 * suite with nothing else to do. When nothing can be started: with REQUIRE_REDIS=1 or CI the run fails here,
 * loudly; otherwise it says which tests will skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

let server: ChildProcess | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  const required = process.env.REQUIRE_REDIS === '1' || !!process.env.CI;
  const binary = findRedisServer();
  if (!binary) {
    const message = 'REDIS_URL is unset and no redis-server is installed';
    if (required) throw new Error(`${message}, but REQUIRE_REDIS/CI says the Redis tests must run. Install redis-server or set REDIS_URL.`);
    console.warn(`[redis-setup] ${message}: the Redis tests (live-replicas, Redis dedup) will skip. Set REQUIRE_REDIS=1 to make that an error.`);
    return;
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'attendance-graph-redis-'));
  server = spawn(binary, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<never>((_, reject) => server!.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`))));
  await Promise.race([answersPing(port, 10_000), exited]);
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  // We started it, so it is there: a Redis test that cannot reach it is a failure, not a skip.
  process.env.REQUIRE_REDIS = '1';
  console.log(`[redis-setup] started a throwaway redis-server on ${process.env.REDIS_URL}`);
}

export async function teardown(): Promise<void> {
  if (server && server.exitCode === null) {
    const gone = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await gone;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

// Helpers below: finding the binary, a free port, and waiting for PONG.

function findRedisServer(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/usr/local/bin', '/usr/sbin']);
  return dirs.map((d) => join(d, 'redis-server')).find((p) => existsSync(p));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        socket.destroy();
        resolve(String(d).startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
