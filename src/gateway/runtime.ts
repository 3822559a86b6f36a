/**
 * V8 settings for a process that serves the gateway, applied once, when its first gateway is made.
 *
 * Allocation-site pretenuring off. V8 watches the object and array literals of each allocation site, and a site whose
 * objects keep surviving scavenges is switched to allocate straight in the old generation. A request's own objects
 * (its context, loaders, entries, batches) are made early and live through the upstream calls, so a scavenge that
 * falls while a query waits on the upstream finds them alive, and some of their sites get tenured, in some processes
 * and not others. From then on those objects are born old, and every row parsed later in the request hangs off them.
 * The scavenger treats every old object as live (it cannot tell the dead ones until a full GC), so each finished
 * query's rows were copied and promoted, and the concurrent marker and sweeper then paid for them again.
 *
 * Measured with `bench/query-replay.ts --retained` (bytes the old generation gains per query; BENCHMARKS.md, session
 * 7): 143-400 KB -> 27 KB at 20 events and 487-2,265 KB -> 45 KB at 100 (the hand-written join: 6 / 16 KB). Short
 * lived objects are what a gateway makes; the few long-lived ones (schema, caches, subscribers) are promoted by the
 * scavenger after two copies instead.
 *
 * A process started with `--allocation-site-pretenuring` keeps it.
 *
 * The young generation's size can only be set when node starts, so `npm start` and `npm run serve` start node with
 * GATEWAY_NODE_FLAGS (package.json; test/runtime-flags.test.ts keeps the two in step, and the benchmarks start their
 * gateways with them, as deployed). V8's default semi-space is 16 MB. A query's rows stay alive until its answer is
 * written, and with ten 100-event queries in flight (~6 MB allocated each) a 16 MB semi-space is scavenged several
 * times while each one waits on the upstream, so most of every query's rows were copied twice and promoted: the
 * collector's helper threads took 15-18 ms of a 49-53 ms query. With 32 MB, in the same replayed runs, 9-14 ms of
 * 34-43 ms (1.47-1.53x -> 1.04-1.16x the hand-written join); 64 MB did better on CPU (0.84-0.95x) but kept
 * 4-5 KiB more RSS per subscriber idle with 10,000 subscribers connected (22.6-23.4 against 17.9-18.1 KiB), past
 * the live bench's 20 KiB (BENCHMARKS.md, session 8). Raise it with `node --max-semi-space-size=<MB> --import tsx
 * src/gateway/main.ts` where memory is cheaper than CPU.
 */
import { setFlagsFromString } from 'node:v8';

/** Node flags for a process that serves the gateway: `npm start` and `npm run serve` pass them to node. */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

let tuned = false;

export function tuneRuntime(): void {
  if (tuned) return;
  tuned = true;
  if (process.execArgv.includes('--allocation-site-pretenuring')) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
