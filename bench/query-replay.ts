/**
 * `npx tsx bench/query-replay.ts --dirs=<checkout>,<checkout>… [--sizes=20,100] [--rounds=10] [--n=60] [--query=…]
 * [--node-args=--cpu-prof,--cpu-prof-dir=/tmp/p] [--heap=<file>]`: gateway CPU per query of several checkouts side
 * by side, with the upstream answers replayed from memory. query-ab.ts puts the sandbox behind every query (130 ms of
 * CPU per 100-event query on a two-core machine, so its own load moves the figures); here each distinct upstream
 * request is asked of a sandbox once and its answer bytes are served again by a small HTTP server in this process,
 * so the machine runs little besides the gateway being measured. Each checkout's gateway is its own process
 * (NODE_ENV=production, DEFAULT_CONFIG as query-child.ts starts it) and reports its own CPU time (process.cpuUsage)
 * around each cell; rounds alternate the order, and the ratio to the first checkout is taken round by round (median).
 * `handwritten` in --dirs is bench/handwritten.ts (its answer has the Mesh shape, so its size differs), the join
 * this gateway is measured against: `--dirs=handwritten,.` gives the gateway's ratio to it round by round.
 * `--profile=<file>`: a CPU profile of the measured rounds of each, written to <file>.<index>.cpuprofile.
 * Beside CPU per query it prints kernel time and the CPU of threads other than the main one (V8's parallel
 * scavenger and concurrent marker, mostly): 20% of the gateway's CPU at 100 events when this was written, against
 * 1-3% for the hand-written join.
 * `--heap-survivors` (with --heap): only allocations that outlived the scavenges.
 * Each checkout's gateway is started with the node flags its own `npm run serve` uses (src/gateway/runtime.ts
 * GATEWAY_NODE_FLAGS, where the checkout has it); `--bare` starts every one without them. `<dir>::<flag>+<flag>` adds
 * flags to one (also to `handwritten`, which has none of its own). The last line gives each process's peak RSS.
 * `--conns=<c>`: each cell's queries are asked c at a time, over c connections.
 * `--retained`: instead of timing, what the old generation gains per query (run with `--node-args=--expose-gc`): a
 * full GC, the query, 20 ms of idle, two minor GCs, then old space grown, the median of --rounds: what the scavenger
 * promoted, during the query or because something still reached it after. Each promoted byte costs a copy and a
 * later full GC. The hand-written join: 6 / 16 KB at 20 / 100 events; the gateway 27 / 45 KB, and 143-400 /
 * 487-2,265 KB before src/gateway/runtime.ts turned V8's allocation-site pretenuring off. With --heap=<file>: the
 * allocation sites of those promoted bytes, <file>.<size>.<index>.heapprofile.
 * `--heap=<file>`: a sampling heap profile of the measured rounds (allocations, also those already collected) of
 * each gateway, written to <file>.<index>.heapprofile.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { getHeapSpaceStatistics } from 'node:v8';
import { deployedFlags } from './deployed-flags.js';

const flag = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const here = fileURLToPath(new URL('.', import.meta.url));
const QUERY = flag(
  'query',
  'query Q($n: Int!) { events(first: $n) { edges { node { eventId title guests(first: 1000) { edges { node { guestId attendanceStatus rsvp { rsvpId status totalGuests } } } } } } } }',
);

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!);
else await parent();

/**
 * One gateway from checkout `dir` (or, for dir `handwritten`, bench/handwritten.ts), answering `cpu`, `heap-start`,
 * `heap-stop`, `profile-start` and `profile-stop` over IPC.
 */
async function child(dir: string, upstreamUrl: string): Promise<void> {
  let url: string;
  if (dir === 'handwritten') {
    const { startHandwritten } = await import('./handwritten.js');
    url = `${(await startHandwritten(upstreamUrl)).url}/graphql`;
  } else {
    const { DEFAULT_CONFIG } = await import(`${dir}/src/gateway/config.ts`);
    const { createGateway } = await import(`${dir}/src/gateway/gateway.ts`);
    const gateway = await createGateway({ ...DEFAULT_CONFIG, upstreamUrl, logLevel: 'silent', graphiql: false, development: false });
    url = await gateway.start(0, '127.0.0.1');
  }
  const session = new Session();
  process.on('message', async (m: { id: number; cmd: string; file?: string; survivors?: boolean; mid?: number }) => {
    if (m.cmd === 'profile-start') {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      process.send!({ id: m.id });
    } else if (m.cmd === 'profile-stop') {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(m.file!, JSON.stringify(profile));
      process.send!({ id: m.id });
    } else if (m.cmd === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ id: m.id, cpu: (u.user + u.system) / 1000, system: u.system / 1000, main: mainThreadMs(), maxRssKb: process.resourceUsage().maxRSS, faults: process.resourceUsage().minorPageFault });
    } else if (m.cmd === 'gc-full') {
      const gc = (globalThis as { gc?: (o?: object) => void }).gc;
      if (!gc) throw new Error('--retained needs --node-args=--expose-gc');
      gc({ type: 'major', execution: 'sync' });
      // --mid=<ms>: a scavenge that many ms into the next query, as V8's scavenge task falls while a query waits on
      // the upstream: what the query still holds then is promoted, and so is what it later hangs on those objects.
      if (m.mid) setTimeout(() => gc({ type: 'minor', execution: 'sync' }), m.mid);
      process.send!({ id: m.id, old: oldSpace() });
    } else if (m.cmd === 'gc-minor') {
      const gc = (globalThis as { gc: (o?: object) => void }).gc;
      await new Promise((r) => setTimeout(r, 20));
      gc({ type: 'minor', execution: 'sync' });
      gc({ type: 'minor', execution: 'sync' });
      process.send!({ id: m.id, promoted: oldSpace() });
    } else if (m.cmd === 'heap-start') {
      session.connect();
      await session.post('HeapProfiler.enable');
      // Allocations, also those a scavenge collected: the objects a query drops are what the scavenger pays for.
      // --heap-survivors: only what outlived the scavenges (promoted, then collected by a full GC or still alive).
      await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !m.survivors } as never);
      process.send!({ id: m.id });
    } else if (m.cmd === 'heap-stop') {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(m.file!, JSON.stringify(profile));
      process.send!({ id: m.id });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: url });
}

/** Bytes used in old space (and large-object space, where big strings and arrays go). */
function oldSpace(): number {
  return getHeapSpaceStatistics()
    .filter((x) => x.space_name === 'old_space' || x.space_name === 'large_object_space')
    .reduce((a, x) => a + x.space_used_size, 0);
}

/** This process's main thread's CPU (utime + stime, ms): the rest of process.cpuUsage() is V8's helper threads (GC, compiler) and libuv's. */
function mainThreadMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

async function parent(): Promise<void> {
  // `<dir>::<flag>+<flag>`: that one's own node flags, e.g. `.::--max-semi-space-size=32` against `.`.
  const dirs = flag('dirs', resolve(here, '..'))
    .split(',')
    .map((spec) => {
      const [d, flags = ''] = spec.split('::');
      return `${d === 'handwritten' ? d : resolve(d!)}${flags ? `::${flags}` : ''}`;
    });
  const sizes = flag('sizes', '20,100').split(',').map(Number);
  const rounds = Number(flag('rounds', '10'));
  const n = Number(flag('n', '60'));
  // --conns=<c>: each cell's queries asked c at a time (the full bench's ten connections).
  const conns = Number(flag('conns', '1'));
  const heap = flag('heap', '');
  const cpuProfile = flag('profile', '');
  const { createSandbox } = await import('../src/sandbox/sandbox.js');
  const sandbox = await createSandbox({ port: 0 });
  for (const size of sizes) {
    const res = await fetch(`${sandbox.url}/__sandbox/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: `bench-${size}-events`, seed: 1, size: { events: size, rsvpsPerEvent: 12, sessions: 0, participationsPerSession: 0, bookings: 0 } }),
    });
    if (!res.ok) throw new Error(await res.text());
  }
  const replay = await startReplay(sandbox.url);
  const children: ChildProcess[] = [];
  try {
    const gateways: Awaited<ReturnType<typeof startGateway>>[] = [];
    for (const dir of dirs) gateways.push(await startGateway(dir, replay, children, conns));
    const ask = async (g: (typeof gateways)[number], size: number) => {
      const res = await g.pool.request({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `bench-${size}-events` },
        body: JSON.stringify({ query: QUERY, variables: { n: size } }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200 || text.slice(0, 20).includes('"errors"')) throw new Error(`${g.dir}: ${res.statusCode} ${text.slice(0, 300)}`);
      return text.length;
    };
    for (const size of sizes) {
      const lengths = [];
      for (const g of gateways) lengths.push(await ask(g, size));
      if (new Set(lengths).size > 1) console.log(`WARNING ${size} events: answers of ${lengths.join(' / ')} bytes`);
    }
    for (const size of sizes) for (const g of gateways) for (let i = 0; i < Math.ceil(300 / Math.max(1, size / 20)); i++) await ask(g, size);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    if (process.argv.includes('--retained')) {
      for (const size of sizes) {
        const cells = [];
        for (const g of gateways) {
          const promoted: number[] = [];
          if (heap) await g.call('heap-start', { survivors: true });
          for (let r = 0; r < rounds; r++) {
            const before = (await g.call('gc-full', { mid: Number(flag('mid', '0')) })).old as number;
            await ask(g, size);
            const after = await g.call('gc-minor');
            promoted.push((after.promoted as number) - before);
          }
          if (heap) await g.call('heap-stop', { file: `${heap}.${size}.${g.index}.heapprofile` });
          cells.push(`${g.dir} ${(median(promoted) / 1024).toFixed(0)} KB`);
        }
        console.log(`${size} events, promoted per query (median of ${rounds}): ${cells.join(' | ')}`);
      }
      return;
    }
    if (heap) for (const g of gateways) await g.call('heap-start', { survivors: process.argv.includes('--heap-survivors') });
    if (cpuProfile) for (const g of gateways) await g.call('profile-start');
    const per: Record<string, number[]> = {};
    // Kernel time (utime + stime is the CPU figure): on loopback the writer is charged the reader's TCP work too.
    const system: Record<string, number[]> = {};
    // CPU of threads other than the main one (V8's GC and compiler helpers, libuv's pool): process minus main thread.
    const helpers: Record<string, number[]> = {};
    // Minor page faults: each costs ~10 µs on a Firecracker guest (2026-12 machines), ~0.2 µs on bare metal.
    const faults: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const size of sizes) {
        const count = Math.max(10, Math.round(n / Math.max(1, size / 20)));
        for (const g of r % 2 ? [...gateways].reverse() : gateways) {
          const c0 = await g.call('cpu');
          let left = count;
          await Promise.all(Array.from({ length: conns }, async () => {
            while (left-- > 0) await ask(g, size);
          }));
          const c1 = await g.call('cpu');
          (per[`${size}/${g.index}`] ??= []).push(((c1.cpu as number) - (c0.cpu as number)) / count);
          (system[`${size}/${g.index}`] ??= []).push(((c1.system as number) - (c0.system as number)) / count);
          (faults[`${size}/${g.index}`] ??= []).push(((c1.faults as number) - (c0.faults as number)) / count);
          (helpers[`${size}/${g.index}`] ??= []).push(((c1.cpu as number) - (c0.cpu as number) - ((c1.main as number) - (c0.main as number))) / count);
        }
      }
    }
    if (heap) for (const g of gateways) await g.call('heap-stop', { file: `${heap}.${g.index}.heapprofile` });
    // Peak resident memory of each process over the whole run (warm-up included): what a larger young generation costs.
    const peaks = await Promise.all(gateways.map(async (g) => `${g.dir} ${(((await g.call('cpu')).maxRssKb as number) / 1024).toFixed(0)} MB`));
    if (cpuProfile) for (const g of gateways) await g.call('profile-stop', { file: `${cpuProfile}.${g.index}.cpuprofile` });
    for (const size of sizes) {
      const first = per[`${size}/0`]!;
      const cells = gateways.map((g) => {
        const xs = per[`${size}/${g.index}`]!;
        return `${g.dir} ${median(xs).toFixed(2)} ms, system ${median(system[`${size}/${g.index}`]!).toFixed(2)}, other threads ${median(helpers[`${size}/${g.index}`]!).toFixed(2)}, page faults ${median(faults[`${size}/${g.index}`]!).toFixed(0)} (× first ${median(xs.map((x, i) => x / first[i]!)).toFixed(3)})`;
      });
      console.log(`${size} events: ${cells.join(' | ')}`);
    }
    console.log(`peak RSS: ${peaks.join(' | ')}`);
    console.log(JSON.stringify({ dirs, sizes, rounds, n, at: new Date().toISOString(), per }));
  } finally {
    for (const c of children) c.disconnect();
    replay.server.close();
    await sandbox.stop();
  }
  process.exit(0);
}

/** An HTTP server answering each distinct request (method, path, credentials, body) with the sandbox's first answer. */
async function startReplay(sandboxUrl: string) {
  const upstream = new Pool(sandboxUrl, { connections: 16 });
  const answers = new Map<string, { status: number; body: Buffer }>();
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(parts).toString();
      const key = `${req.method} ${req.url} ${req.headers.authorization} ${body}`;
      let answer = answers.get(key);
      if (!answer) {
        const r = await upstream.request({
          method: req.method as 'GET' | 'POST',
          path: req.url!,
          headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
          body: req.method === 'GET' ? undefined : body,
        });
        answer = { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
        if (r.statusCode === 200) answers.set(key, answer);
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': answer.body.length });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function startGateway(spec: string, replay: { url: string }, children: ChildProcess[], conns: number) {
  const [dir, own = ''] = spec.split('::') as [string, string?];
  // A checkout's gateway runs with the node flags its `npm run serve` passes (GATEWAY_NODE_FLAGS, where it has them),
  // as deployed; `--bare` leaves them out.
  const deployed = dir === 'handwritten' || process.argv.includes('--bare') ? [] : await deployedFlags(dir);
  const proc = fork(fileURLToPath(import.meta.url), ['child', dir, replay.url], {
    cwd: dir === 'handwritten' ? resolve(here, '..') : dir,
    execArgv: ['--import', 'tsx', ...deployed, ...flag('node-args', '').split(',').filter(Boolean), ...own.split('+').filter(Boolean)],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  children.push(proc);
  const url: string = await new Promise((res, rej) => {
    proc.once('exit', (code) => rej(new Error(`${dir}: gateway exited ${code}`)));
    proc.on('message', (m: { ready?: string }) => m.ready && res(m.ready));
  });
  let next = 0;
  const waiting = new Map<number, (v: Record<string, unknown>) => void>();
  proc.on('message', (m: { id?: number }) => m.id && waiting.get(m.id)?.(m as Record<string, unknown>));
  return {
    dir: spec,
    index: children.length - 1,
    pool: new Pool(new URL(url).origin, { connections: conns }),
    call: (cmd: string, extra: object = {}) =>
      new Promise<Record<string, unknown>>((res) => {
        const id = ++next;
        waiting.set(id, res);
        proc.send({ id, cmd, ...extra });
      }),
  };
}
