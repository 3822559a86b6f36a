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
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneRuntime(): void {
  if (tuned) return;
  tuned = true;
  if (process.execArgv.includes('--allocation-site-pretenuring')) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
