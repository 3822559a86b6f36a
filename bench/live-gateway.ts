/**
 * Child process of `npm run bench live`: one gateway, configured from the environment as `npm run serve` is, that
 * answers the bench over IPC with its own process.cpuUsage() and RSS (so the figures are the gateway's alone, not
 * the clients' on the same two cores), samples its peak RSS during a fan-out and can run a full GC on request.
 * With LIVE_BENCH_CPU_PROF=<file> it records a V8 CPU profile of the measured phases only (between the bench's
 * 'sample'/'unsample' and the ingest's 'profile'/'unprofile'), for bench/profile-top.ts.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { loadConfig } from '../src/gateway/config.js';
import { createGateway } from '../src/gateway/gateway.js';

const gateway = await createGateway(loadConfig());
const url = await gateway.start();
let peak = 0;
let sampler: ReturnType<typeof setInterval> | undefined;
const profileFile = process.env.LIVE_BENCH_CPU_PROF;
const inspector = profileFile ? new Session() : undefined;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
}
let profiling = false;
let profiles = 0;
let snapshots = 0;
/** One file per measured phase: <file>-1.cpuprofile (the fan-outs), -2 (the ingest, after the first size), … */
const profile = async (on: boolean) => {
  if (!inspector || profiling === on) return;
  profiling = on;
  if (on) await inspector.post('Profiler.start');
  else writeFileSync(`${profileFile!.replace(/\.cpuprofile$/, '')}-${++profiles}.cpuprofile`, JSON.stringify((await inspector.post('Profiler.stop')).profile));
};

const connections = () => new Promise<number>((resolve) => gateway.server.getConnections((_e, n) => resolve(n)));

process.on('message', async (m: { op: string; gc?: boolean }) => {
  if (m.op === 'exit') process.exit(0);
  if (m.op === 'sample' || m.op === 'profile') await profile(true);
  if (m.op === 'unsample' || m.op === 'unprofile') await profile(false);
  if (m.op === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    // LIVE_BENCH_HEAPSNAPSHOT=<dir>: a heap snapshot after each GC (before anyone connected, idle with every
    // subscriber), to see what each subscriber holds (diff the two in Chrome DevTools or bench/heap-diff.ts).
    if (process.env.LIVE_BENCH_HEAPSNAPSHOT) writeHeapSnapshot(`${process.env.LIVE_BENCH_HEAPSNAPSHOT}/gateway-${process.pid}-${++snapshots}.heapsnapshot`);
  }
  if (m.op === 'sample') {
    peak = process.memoryUsage.rss();
    clearInterval(sampler);
    sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  }
  if (m.op === 'unsample') clearInterval(sampler);
  const cpu = process.cpuUsage();
  process.send!({ op: m.op, cpuUs: cpu.user + cpu.system, userUs: cpu.user, systemUs: cpu.system, rss: process.memoryUsage.rss(), peak, connections: await connections() });
});
process.send!({ op: 'ready', url });
