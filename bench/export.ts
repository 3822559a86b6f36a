/**
 * CSV export memory and CPU: does a 5,000-row export stream, or does the gateway hold every row? The sandbox runs
 * in a child process (its rows and allocations are not in this heap); the gateway and a client that reads the
 * body chunk by chunk and keeps nothing run here. Two passes per case: one timed (the gateway's CPU per row in
 * this process, time to the first byte and to the end), one measuring the heap still live (after a forced GC) at
 * the first chunk and every fifth chunk after, whose maximum is what the export holds; a plain peak of heapUsed
 * would mostly show garbage not yet collected. The timed pass also records the resident set's peak growth over its
 * start (sampled at every chunk): what the operating system sees, garbage included, after a warm-up of each case.
 * Compared in one run: CSV of 1,000 and of 5,000 rows (a streaming export holds about the same whatever the rows);
 * one JSON answer of 1,000 rows is there for CPU per row and time to first byte (Yoga builds it whole before the
 * first byte; by the time the client reads, the server has released it, so its held figure says little).
 */
import { spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_CONFIG } from '../src/gateway/config.js';
import { createGateway } from '../src/gateway/gateway.js';

const ROWS = 5000;
const NODE = `bookingId status paymentStatus totalParticipants startDate endDate createdDate
  contactDetails { contactId firstName lastName email } bookedEntity { title slot { serviceId sessionId resource { name } } }`;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Row {
  rows: number;
  bytes: number;
  heldMB: number;
  /** The process's resident set at its highest during the timed pass, over what it was when the request went out. */
  rssGrowthMB: number;
  cpuMsPerRow: number;
  firstByteMs: number;
  totalMs: number;
}

export async function run(): Promise<object> {
  const sandbox = await startSandbox();
  const seeded = await fetch(`${sandbox.url}/__sandbox/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: sandbox.token, seed: 1, size: { bookings: ROWS } }),
  });
  if (!seeded.ok) throw new Error(`seed failed: ${seeded.status}`);
  const gateway = await createGateway({ ...DEFAULT_CONFIG, upstreamUrl: sandbox.url, logLevel: 'silent', graphiql: false });
  const url = `${await gateway.start(0, '127.0.0.1')}/graphql`;
  const rows: Record<string, Row> = {};
  try {
    const cases: [string, string, string][] = [
      ['CSV, 1,000 rows', 'text/csv', `{ bookings(first: 1000) { edges { node { ${NODE} } } } }`],
      [`CSV, ${ROWS.toLocaleString('en')} rows`, 'text/csv', `{ bookings { edges { node { ${NODE} } } } }`],
      ['JSON, 1,000 rows (one answer)', 'application/json', `{ bookings(first: 1000) { edges { node { ${NODE} } } } }`],
    ];
    const check = await (await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: sandbox.token },
      body: JSON.stringify({ query: `{ bookings(first: 1) { edges { node { ${NODE} } } } }` }),
    })).json();
    if (check.errors) throw new Error(JSON.stringify(check.errors));
    // One warm-up of each, so JIT and connection set-up are not in the figures.
    for (const [, accept, query] of cases) await measure(url, sandbox.token, accept, query, false);
    for (const [label, accept, query] of cases) {
      const timed = await measure(url, sandbox.token, accept, query, false);
      const held = await measure(url, sandbox.token, accept, query, true);
      rows[label] = { ...timed, heldMB: held.heldMB };
    }
  } finally {
    await gateway.stop();
    sandbox.stop();
  }
  console.table(rows);
  const small = rows['CSV, 1,000 rows']!;
  const big = rows[`CSV, ${ROWS.toLocaleString('en')} rows`]!;
  const json = rows['JSON, 1,000 rows (one answer)']!;
  const ratios = {
    heldCsv5000OverCsv1000: round(big.heldMB / small.heldMB),
    rssGrowthCsv5000MB: big.rssGrowthMB,
    firstByteJson1000OverCsv5000: round(json.firstByteMs / big.firstByteMs),
    cpuPerRowCsvOverJson: round(big.cpuMsPerRow / json.cpuMsPerRow),
  };
  console.log(
    `5x the rows holds ${ratios.heldCsv5000OverCsv1000}x the memory (streaming: about 1); CPU per row CSV/JSON ` +
      `${ratios.cpuPerRowCsvOverJson}x; a 1,000-row JSON answer's first byte comes ${ratios.firstByteJson1000OverCsv5000}x later than a 5,000-row CSV's`,
  );
  return { ...rows, ...ratios };
}

async function measure(url: string, token: string, accept: string, query: string, heap: boolean): Promise<Row> {
  gc();
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let held = 0;
  let chunks = 0;
  const sample = () => {
    gc();
    held = Math.max(held, process.memoryUsage().heapUsed - baseline);
  };
  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let firstByte = 0;
  let bytes = 0;
  let newlines = 0;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: token },
    body: JSON.stringify({ query }),
  });
  const expected = accept === 'text/csv' ? 'text/csv' : 'application/json';
  if (res.status !== 200 || !res.headers.get('content-type')?.startsWith(expected)) throw new Error(`${accept}: ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!firstByte) firstByte = performance.now() - started;
    bytes += value.byteLength;
    for (const b of value) if (b === 10) newlines++;
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    if (heap && chunks++ % 5 === 0) sample();
  }
  const totalMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // CSV: one line per row plus the header. JSON: the rows are counted from the answer's size per row below.
  const rowCount = accept === 'text/csv' ? newlines - 1 : 1000;
  return {
    rows: rowCount,
    bytes,
    heldMB: round(held / 1_048_576),
    rssGrowthMB: round((rssPeak - rssStart) / 1_048_576),
    cpuMsPerRow: round((used.user + used.system) / 1000 / rowCount, 4),
    firstByteMs: round(firstByte),
    totalMs: round(totalMs),
  };
}

/** The sandbox in its own process, so its memory is not counted as the gateway's. */
async function startSandbox(): Promise<{ url: string; token: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts', '--port', '0', '--seed', '1'], {
    cwd: new URL('..', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      const token = /demo token: (\S+)/.exec(out)?.[1];
      if (url && token) resolve({ url: url.replace(/\/+$/, ''), token });
    });
  });
  return { url, token, stop: () => child.kill('SIGTERM') };
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
