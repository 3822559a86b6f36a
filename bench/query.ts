/**
 * `npm run bench query [-- --quick] [--profile] [--sizes=20,100]`: the nested query (N events → their guests → each guest's
 * RSVP) answered by three systems over one sandbox, in one process tree, in interleaved rounds:
 *   handwritten  bench/handwritten.ts, an undici join written by hand (the physical limit for this join);
 *   gateway      this gateway, NODE_ENV=production and node started with GATEWAY_NODE_FLAGS (src/gateway/runtime.ts),
 *                as `npm run serve` deploys it;
 *   mesh         Hive Gateway + GraphQL Mesh from ../shared/peers/mesh, copied to a temporary folder and installed
 *                with `npm ci` on first use (MESH_PEER_DIR points at an installed copy; absent = skipped, said so).
 * Each system, the sandbox and the load generator are separate processes, so CPU per query is each process's own
 * CPU time (utime+stime of its process tree, from /proc) over the queries it answered; wall-clock figures (rps,
 * p50/p99) are printed too but are noisy on a shared machine. Upstream calls come from the sandbox's counters
 * for one query; upstream bytes from a byte-counting proxy per system. Every figure is also given as a ratio to
 * the hand-written join and to Mesh, taken from the same rounds.
 * `--same-flags`: the hand-written join and Mesh are started with the gateway's node flags too (Mesh through
 * NODE_OPTIONS), for the like-for-like ratio; without it they run as node starts them.
 */
import { fork, spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { GATEWAY_NODE_FLAGS } from '../src/gateway/runtime.js';

type System = 'handwritten' | 'gateway' | 'mesh';
const SEED = { seed: 1, rsvpsPerEvent: 12 };

const GATEWAY_QUERY = `query Q($n: Int!) { events(first: $n) { edges { node { eventId title guests(first: 1000) { edges { node { guestId attendanceStatus rsvp { rsvpId status totalGuests } } } } } } } }`;
const MESH_QUERY = `query Q($n: Int!) { events(limit: $n) { id title guests { id attendanceStatus rsvp { id status totalGuests } } } }`;

interface Settings {
  rounds: number;
  cellMs: number;
  warmup: number;
  sizes: number[];
  connections: number[];
}
// Warm-up: queries per system and size before anything is measured, the same count for all three. 60 left the
// gateways' JIT compiling in the measured rounds (TurboFan was 6-14% of the gateway's CPU there, and it has far more
// code to compile than the hand-written join), so the figures carried start-up cost no long-running server pays.
const QUICK: Settings = { rounds: 1, cellMs: 1500, warmup: 100, sizes: [5, 20, 100], connections: [1, 10] };
const FULL: Settings = { rounds: 3, cellMs: 4000, warmup: 300, sizes: [5, 20, 100], connections: [1, 10] };

interface Cell {
  queries: number;
  cpuMs: number;
  sandboxCpuMs: number;
  elapsedMs: number;
  latencies: number[];
}

export async function run(flags: string[] = []): Promise<object> {
  const sizes = flags.find((f) => f.startsWith('--sizes='))?.slice('--sizes='.length).split(',').map(Number);
  const settings = { ...(flags.includes('--quick') ? QUICK : FULL), ...(sizes ? { sizes } : {}) };
  const profile = flags.includes('--profile');
  const nodeFlags: Record<System, string[]> = {
    handwritten: flags.includes('--same-flags') ? [...GATEWAY_NODE_FLAGS] : [],
    gateway: [...GATEWAY_NODE_FLAGS],
    mesh: flags.includes('--same-flags') ? [...GATEWAY_NODE_FLAGS] : [],
  };
  const here = fileURLToPath(new URL('.', import.meta.url));
  const meshDir = await meshPeer(here);
  const systems: System[] = meshDir ? ['handwritten', 'gateway', 'mesh'] : ['handwritten', 'gateway'];

  const children: ChildProcess[] = [];
  const sandbox = await child(here, children, ['sandbox', ...systems]);
  const { url: sandboxUrl, proxies } = sandbox.ready as { url: string; proxies: Record<System, string> };
  const procs: Partial<Record<System, { pid: number; url: string }>> = {};
  try {
    for (const size of settings.sizes) {
      await post(`${sandboxUrl}/__sandbox/seed`, { token: token(size), seed: SEED.seed, size: { events: size, rsvpsPerEvent: SEED.rsvpsPerEvent, sessions: 0, participationsPerSession: 0, bookings: 0 } });
    }
    console.log(`node flags: ${systems.map((s) => `${s} ${nodeFlags[s].join(' ') || '(none)'}`).join(', ')}`);
    const gw = await child(here, children, ['gateway', proxies.gateway], { NODE_ENV: 'production' }, nodeFlags.gateway);
    procs.gateway = { pid: gw.proc.pid!, url: (gw.ready as { url: string }).url };
    const hw = await child(here, children, ['handwritten', proxies.handwritten], {}, nodeFlags.handwritten);
    procs.handwritten = { pid: hw.proc.pid!, url: (hw.ready as { url: string }).url };
    if (meshDir) procs.mesh = await startMesh(meshDir, proxies.mesh, children, nodeFlags.mesh);

    const pools = Object.fromEntries(systems.map((s) => [s, new Pool(new URL(procs[s]!.url).origin, { connections: 10, pipelining: 1 })])) as Record<System, Pool>;
    const ask = async (s: System, size: number): Promise<string> => {
      const res = await pools[s].request({
        method: 'POST',
        path: new URL(procs[s]!.url).pathname,
        headers: { 'content-type': 'application/json', authorization: token(size) },
        body: JSON.stringify({ query: s === 'gateway' ? GATEWAY_QUERY : MESH_QUERY, variables: { n: size } }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${s}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
      return text;
    };

    // Answers, upstream calls and bytes of one query, per system and size (nothing else runs meanwhile).
    const shape: Record<string, Record<string, unknown>> = {};
    for (const size of settings.sizes) {
      for (const s of systems) {
        for (let i = 0; i < settings.warmup; i++) await ask(s, size);
        await fetch(`${sandboxUrl}/__sandbox/reset-stats`, { method: 'POST' });
        const before = (await sandbox.call('bytes')) as Record<System, number>;
        const answer = normalise(s, JSON.parse(await ask(s, size)));
        const after = (await sandbox.call('bytes')) as Record<System, number>;
        const stats = (await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json()) as { total: number; byRoute: Record<string, number> };
        shape[`${size}/${s}`] = { ...answer.counts, answer: answer.digest, upstreamCalls: stats.total, byRoute: stats.byRoute, upstreamBytes: after[s] - before[s] };
      }
    }

    if (profile) await gw.call('profile-start');
    // Interleaved rounds: every (size, connections) cell visits every system once per round, in a rotating order.
    const cells: Record<string, Cell> = {};
    for (let round = 0; round < settings.rounds; round++) {
      for (const size of settings.sizes) {
        for (const connections of settings.connections) {
          const order = systems.map((_, i) => systems[(i + round) % systems.length]!);
          for (const s of order) {
            const key = `${size}/${connections}/${s}`;
            const cell = (cells[key] ??= { queries: 0, cpuMs: 0, sandboxCpuMs: 0, elapsedMs: 0, latencies: [] });
            const cpu0 = treeCpuMs(procs[s]!.pid);
            const sb0 = treeCpuMs(sandbox.proc.pid!);
            const started = performance.now();
            const deadline = started + settings.cellMs;
            await Promise.all(
              Array.from({ length: connections }, async () => {
                while (performance.now() < deadline) {
                  const t = performance.now();
                  await ask(s, size);
                  cell.latencies.push(performance.now() - t);
                  cell.queries++;
                }
              }),
            );
            cell.elapsedMs += performance.now() - started;
            cell.cpuMs += treeCpuMs(procs[s]!.pid) - cpu0;
            cell.sandboxCpuMs += treeCpuMs(sandbox.proc.pid!) - sb0;
          }
        }
      }
    }
    await Promise.all(Object.values(pools).map((p) => p.close()));
    if (profile) {
      mkdirSync(join(here, 'results', 'profiles'), { recursive: true });
      const file = join(here, 'results', 'profiles', `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      console.log(`gateway CPU profile of the measured rounds: ${await gw.call('profile-stop', file)}`);
    }
    return { ...report(settings, systems, shape, cells, flags), nodeFlags };
  } finally {
    for (const c of children.reverse()) {
      if (c.pid && c.exitCode === null) {
        try {
          // The Mesh peer runs detached in its own process group, so its workers go too.
          if (c.spawnargs[0] !== process.execPath) process.kill(-c.pid, 'SIGTERM');
          else c.kill('SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  }
}

function report(settings: Settings, systems: System[], shape: Record<string, Record<string, unknown>>, cells: Record<string, Cell>, flags: string[]) {
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const ratio = (a: number, b: number | undefined) => (b ? `${r2(a / b)}×` : '–');
  const out: Record<string, unknown> = { mode: flags.includes('--quick') ? 'quick' : 'full', settings, seed: SEED, oneQuery: shape, cells: {} };
  const summary: Record<string, Record<string, Record<string, number>>> = {};
  for (const size of settings.sizes) {
    for (const connections of settings.connections) {
      const rows: Record<string, Record<string, string | number>> = {};
      const figures: Record<string, Record<string, number>> = {};
      for (const s of systems) {
        const c = cells[`${size}/${connections}/${s}`]!;
        const sorted = [...c.latencies].sort((a, b) => a - b);
        const one = shape[`${size}/${s}`]!;
        figures[s] = {
          cpuMsPerQuery: c.cpuMs / c.queries,
          sandboxCpuMsPerQuery: c.sandboxCpuMs / c.queries,
          upstreamCalls: one.upstreamCalls as number,
          upstreamKB: (one.upstreamBytes as number) / 1024,
          rps: c.queries / (c.elapsedMs / 1000),
          p50ms: percentile(sorted, 0.5),
          p99ms: percentile(sorted, 0.99),
          queries: c.queries,
          guests: one.guests as number,
          rsvps: one.rsvps as number,
        };
      }
      const hw = figures.handwritten!;
      const mesh = figures.mesh;
      for (const s of systems) {
        const f = figures[s]!;
        const both = (k: keyof typeof f, digits = r2) => `${digits(f[k]!)} (${ratio(f[k]!, hw[k])} hw, ${ratio(f[k]!, mesh?.[k])} mesh)`;
        rows[s] = {
          'CPU ms/query': both('cpuMsPerQuery'),
          'sandbox CPU ms/query': r2(f.sandboxCpuMsPerQuery!),
          calls: f.upstreamCalls!,
          'upstream KB': both('upstreamKB', r1),
          rps: both('rps', r1),
          'p50 ms': both('p50ms', r1),
          'p99 ms': both('p99ms', r1),
          'guests/rsvps': `${f.guests}/${f.rsvps}`,
        };
      }
      console.log(`\n${size} events, ${connections} connection${connections > 1 ? 's' : ''} (${settings.rounds} round(s) of ${settings.cellMs} ms per system)`);
      console.table(rows);
      summary[`${size} events, ${connections} conn`] = Object.fromEntries(Object.entries(figures).map(([s, f]) => [s, Object.fromEntries(Object.entries(f).map(([k, v]) => [k, r2(v)]))]));
    }
  }
  // Growth: CPU per 100 guests at one connection, the cost of each extra row.
  const growth: Record<string, Record<string, string>> = {};
  for (const size of settings.sizes) {
    const row: Record<string, string> = {};
    const per100 = (s: System) => {
      const c = cells[`${size}/1/${s}`]!;
      return c.cpuMs / c.queries / (((shape[`${size}/${s}`]!.guests as number) || 1) / 100);
    };
    for (const s of systems) {
      // Per 100 guests each system answered: where Mesh returns fewer guests (1,000 of 1,744 at 100 events), its
      // CPU per query is for a smaller answer, and this is the like-for-like ratio.
      const vsMesh = s === 'gateway' && systems.includes('mesh') ? `, ${ratio(per100(s), per100('mesh'))} mesh` : '';
      row[`${s} CPU ms/100 guests`] = `${r2(per100(s))}${s === 'handwritten' ? '' : ` (${ratio(per100(s), per100('handwritten'))} hw${vsMesh})`}`;
      row[`${s} calls`] = String(shape[`${size}/${s}`]!.upstreamCalls);
    }
    row.guests = String(shape[`${size}/handwritten`]!.guests);
    growth[`${size} events`] = row;
  }
  // The same per 100 guests answered at ten connections, against Mesh: the like-for-like × Mesh where Mesh answers
  // fewer guests than were asked for.
  const many = Math.max(...settings.connections);
  const perGuestMany: Record<string, Record<string, string>> = {};
  if (many > 1 && systems.includes('mesh')) {
    for (const size of settings.sizes) {
      const per100 = (s: System) => {
        const c = cells[`${size}/${many}/${s}`]!;
        return c.cpuMs / c.queries / (((shape[`${size}/${s}`]!.guests as number) || 1) / 100);
      };
      perGuestMany[`${size} events`] = Object.fromEntries(
        systems.map((s) => [`${s} CPU ms/100 guests`, s === 'gateway' ? `${r2(per100(s))} (${ratio(per100(s), per100('handwritten'))} hw, ${ratio(per100(s), per100('mesh'))} mesh)` : String(r2(per100(s)))]),
      );
    }
  }
  console.log('\nGrowth (1 connection): CPU per 100 guests answered and upstream calls');
  console.table(growth);
  if (Object.keys(perGuestMany).length) {
    console.log(`\nPer 100 guests answered, ${many} connections`);
    console.table(perGuestMany);
  }
  const answers = settings.sizes.map((size) => {
    const hw = shape[`${size}/handwritten`]!.answer;
    return `${size} events: ${systems.map((s) => `${s} ${shape[`${size}/${s}`]!.answer === hw ? 'same answer' : 'DIFFERENT answer'}`).join(', ')}`;
  });
  console.log(`\n${answers.join('\n')}`);
  // The same figures as one markdown table per size, for BENCHMARKS.md and issue notes.
  const md: string[] = [];
  for (const size of settings.sizes) {
    md.push(`\n${size} events (${shape[`${size}/handwritten`]!.guests} guests, ${shape[`${size}/handwritten`]!.rsvps} RSVPs)\n`);
    md.push('| system | CPU ms/query 1 conn (× hw, × mesh) | CPU ms/query 10 conn (× hw, × mesh) | upstream calls | upstream KB (× hw) | rps 1 / 10 conn | p50 / p99 ms, 1 conn |');
    md.push('| --- | --- | --- | --- | --- | --- | --- |');
    const f = (s: System, c: number) => summary[`${size} events, ${c} conn`]![s]!;
    for (const s of systems) {
      const cpu = (c: number) => {
        const v = f(s, c).cpuMsPerQuery!;
        const mesh = systems.includes('mesh') ? ` ${ratio(v, f('mesh', c).cpuMsPerQuery)}` : '';
        return `${r2(v)} (${ratio(v, f('handwritten', c).cpuMsPerQuery)}${mesh})`;
      };
      const one = f(s, 1);
      md.push(
        `| ${s} | ${cpu(1)} | ${cpu(10)} | ${one.upstreamCalls} | ${r1(one.upstreamKB!)} (${ratio(one.upstreamKB!, f('handwritten', 1).upstreamKB)}) | ` +
          `${r1(one.rps!)} / ${r1(f(s, 10).rps!)} | ${r1(one.p50ms!)} / ${r1(one.p99ms!)} |`,
      );
    }
  }
  console.log(md.join('\n'));
  out.markdown = md.join('\n');
  out.cells = summary;
  out.growth = growth;
  out.perGuestManyConnections = perGuestMany;
  out.answers = answers;
  return out;
}

/** The answer in one shape (events → guests → rsvp, raw ids) whichever system gave it, with a digest to compare. */
function normalise(s: System, body: any): { counts: { events: number; guests: number; rsvps: number }; digest: string } {
  if (body.errors) throw new Error(`${s}: ${JSON.stringify(body.errors).slice(0, 500)}`);
  const events: any[] =
    s === 'gateway'
      ? body.data.events.edges.map(({ node: e }: any) => ({
          id: e.eventId,
          title: e.title,
          guests: e.guests.edges.map(({ node: g }: any) => ({ id: g.guestId, attendanceStatus: g.attendanceStatus, rsvp: g.rsvp && { id: g.rsvp.rsvpId, status: g.rsvp.status, totalGuests: g.rsvp.totalGuests } })),
        }))
      : body.data.events;
  let guests = 0;
  let rsvps = 0;
  const canonical = events
    .map((e) => {
      guests += e.guests.length;
      rsvps += e.guests.filter((g: any) => g.rsvp).length;
      return JSON.stringify([e.id, e.title, e.guests.map((g: any) => JSON.stringify([g.id, g.attendanceStatus, g.rsvp?.id ?? null, g.rsvp?.status ?? null, g.rsvp?.totalGuests ?? null])).sort()]);
    })
    .sort()
    .join('\n');
  let h = 0;
  for (let i = 0; i < canonical.length; i++) h = (Math.imul(h, 31) + canonical.charCodeAt(i)) | 0;
  return { counts: { events: events.length, guests, rsvps }, digest: (h >>> 0).toString(16) };
}

// Processes and their CPU time.

interface ChildHandle {
  proc: ChildProcess;
  ready: unknown;
  call(cmd: string, file?: string): Promise<unknown>;
}

async function child(here: string, children: ChildProcess[], args: string[], env: Record<string, string> = {}, execArgv: string[] = []): Promise<ChildHandle> {
  const proc = fork(join(here, 'query-child.ts'), args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, NODE_ENV: '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(proc);
  let next = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  const ready = await new Promise<unknown>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`query-child ${args[0]} exited with ${code}`)));
    proc.on('message', (msg: { ready?: unknown; id?: number; result?: unknown }) => {
      if (msg.ready) resolve(msg.ready);
      else if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
    });
  });
  return {
    proc,
    ready,
    call: (cmd, file) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        proc.send({ id, cmd, file });
      }),
  };
}

/** utime+stime of a process and its descendants, in ms (Linux /proc; clock ticks are 10 ms). */
function treeCpuMs(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  let ticks = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [p, s] of stats) if (s.ppid === pid) stack.push(p);
  }
  return ticks * 10;
}

/** The Mesh peer, installed in a temporary copy; undefined (and said why) when it cannot be installed here. */
async function meshPeer(here: string): Promise<string | undefined> {
  const bin = (dir: string) => join(dir, 'node_modules', '.bin', 'hive-gateway');
  if (process.env.MESH_PEER_DIR) {
    if (existsSync(bin(process.env.MESH_PEER_DIR))) return process.env.MESH_PEER_DIR;
    console.log(`MESH_PEER_DIR=${process.env.MESH_PEER_DIR} has no node_modules/.bin/hive-gateway: Mesh is left out of this run`);
    return undefined;
  }
  const source = join(here, '..', '..', 'shared', 'peers', 'mesh');
  if (!existsSync(source)) {
    console.log(`no Mesh peer at ${source}: Mesh is left out of this run (set MESH_PEER_DIR to an installed copy)`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mesh-peer-'));
  cpSync(source, dir, { recursive: true });
  console.log(`installing the Mesh peer in ${dir} (npm ci, about a minute; set MESH_PEER_DIR=${dir} to reuse it)`);
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
    return dir;
  } catch (err) {
    console.log(`the Mesh peer did not install (${(err as Error).message.split('\n')[0]}): Mesh is left out of this run`);
    return undefined;
  }
}

async function startMesh(dir: string, upstream: string, children: ChildProcess[], nodeFlags: string[]): Promise<{ pid: number; url: string }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const proc = spawn(join(dir, 'node_modules', '.bin', 'hive-gateway'), ['supergraph', '-p', String(port), '-h', '127.0.0.1'], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: '', WIX_UPSTREAM_URL: upstream, NODE_OPTIONS: [process.env.NODE_OPTIONS, ...nodeFlags].filter(Boolean).join(' ') },
    stdio: 'ignore',
    detached: true,
  });
  children.push(proc);
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`hive-gateway exited with ${proc.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthcheck`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error('hive-gateway did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: proc.pid!, url };
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function token(size: number): string {
  return `bench-${size}-events`;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : 0;
}

