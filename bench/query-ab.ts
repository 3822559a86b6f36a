/**
 * `npx tsx bench/query-ab.ts --a=<checkout> [--b=<checkout>] [--sizes=5,20,100] [--n=150] [--rounds=5] [--warmup=400]`:
 * the query benchmark's nested query against two gateways side by side (each started from its own checkout's
 * bench/query-child.ts, so a change can be weighed against main in one run) and the hand-written join, over one
 * sandbox. Rounds interleave the systems; each cell is a fixed number of sequential queries on one connection, and
 * its figure is the process's CPU time (utime+stime from /proc) per query. The median of the rounds is reported,
 * with the ratios to the hand-written join taken round by round. `--perf`: the gateways run with --perf-basic-prof
 * (for `perf record -e cpu-clock -g -p <pid>`); their pids are printed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const flag = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const here = fileURLToPath(new URL('.', import.meta.url));
const a = resolve(flag('a', join(here, '..')));
const b = resolve(flag('b', join(here, '..')));
const sizes = flag('sizes', '5,20,100').split(',').map(Number);
const n = Number(flag('n', '150'));
const rounds = Number(flag('rounds', '5'));
const warmup = Number(flag('warmup', '400'));
const perf = process.argv.includes('--perf');
// Extra node flags for one gateway (e.g. --b-args=--max-semi-space-size=64), comma-separated.
const argsOf = (x: string) => flag(`${x}-args`, '').split(',').filter(Boolean);
const QUERY = `query Q($n: Int!) { events(first: $n) { edges { node { eventId title guests(first: 1000) { edges { node { guestId attendanceStatus rsvp { rsvpId status totalGuests } } } } } } } }`;

const children: ChildProcess[] = [];
function start(dir: string, args: string[], execArgv: string[] = [], env: Record<string, string> = {}): Promise<{ proc: ChildProcess; ready: any }> {
  const proc = fork(join(dir, 'bench', 'query-child.ts'), args, {
    cwd: dir,
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, NODE_ENV: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(proc);
  return new Promise((res, rej) => {
    proc.once('exit', (code) => rej(new Error(`${args[0]} exited ${code}`)));
    proc.on('message', (m: { ready?: unknown }) => m.ready && res({ proc, ready: m.ready }));
  });
}

function cpuMs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

try {
  const sandbox = await start(b, ['sandbox', 'hw', 'a', 'b']);
  const { url: sandboxUrl, proxies } = sandbox.ready as { url: string; proxies: Record<string, string> };
  for (const size of sizes) {
    const res = await fetch(`${sandboxUrl}/__sandbox/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: `bench-${size}-events`, seed: 1, size: { events: size, rsvpsPerEvent: 12, sessions: 0, participationsPerSession: 0, bookings: 0 } }),
    });
    if (!res.ok) throw new Error(await res.text());
  }
  const gwArgv = perf ? ['--perf-basic-prof'] : [];
  const systems = {
    hw: await start(b, ['handwritten', proxies.hw!]),
    a: await start(a, ['gateway', proxies.a!], [...gwArgv, ...argsOf('a')], { NODE_ENV: 'production' }),
    b: await start(b, ['gateway', proxies.b!], [...gwArgv, ...argsOf('b')], { NODE_ENV: 'production' }),
  };
  if (perf) console.log(`pids: a ${systems.a.proc.pid} b ${systems.b.proc.pid} hw ${systems.hw.proc.pid}`);
  const names = Object.keys(systems) as (keyof typeof systems)[];
  const pools = Object.fromEntries(names.map((s) => [s, new Pool(new URL(systems[s].ready.url).origin, { connections: 1 })])) as Record<string, Pool>;
  const ask = async (s: keyof typeof systems, size: number) => {
    const res = await pools[s]!.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `bench-${size}-events` },
      body: JSON.stringify({ query: QUERY, variables: { n: size } }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text.includes('"errors"')) throw new Error(`${s}: ${res.statusCode} ${text.slice(0, 300)}`);
    return text.length;
  };
  // Same answer size from both gateways (a cheap check that the change answers the same).
  for (const size of sizes) {
    const [la, lb] = [await ask('a', size), await ask('b', size)];
    if (la !== lb) console.log(`WARNING ${size} events: a answers ${la} bytes, b ${lb}`);
  }
  for (const size of sizes) for (const s of names) for (let i = 0; i < Math.ceil(warmup / Math.max(1, size / 20)); i++) await ask(s, size);
  const per: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const size of sizes) {
      const count = Math.max(20, Math.round(n / Math.max(1, size / 20)));
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const s of order) {
        const c0 = cpuMs(systems[s].proc.pid!);
        for (let i = 0; i < count; i++) await ask(s, size);
        (per[`${size}/${s}`] ??= []).push((cpuMs(systems[s].proc.pid!) - c0) / count);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const out: Record<string, unknown> = {};
  for (const size of sizes) {
    const hw = per[`${size}/hw`]!;
    const row: Record<string, unknown> = { hw: r2(median(hw)) };
    for (const s of ['a', 'b']) {
      const xs = per[`${size}/${s}`]!;
      row[s] = r2(median(xs));
      row[`${s}×hw`] = r2(median(xs.map((x, i) => x / hw[i]!)));
    }
    row['b/a'] = r2(median(per[`${size}/b`]!.map((x, i) => x / per[`${size}/a`]![i]!)));
    out[`${size} events`] = row;
  }
  console.table(out);
  console.log(JSON.stringify({ a, b, sizes, n, rounds, warmup, at: new Date().toISOString(), per, summary: out }));
} finally {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
}
process.exit(0);
