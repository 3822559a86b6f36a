/**
 * Child process of `npm run bench live`: one gateway, configured from the environment as `npm run serve` is, that
 * answers the bench over IPC with its own process.cpuUsage() and RSS (so the figures are the gateway's alone, not
 * the clients' on the same two cores), samples its peak RSS during a fan-out and can run a full GC on request.
 */
import { loadConfig } from '../src/gateway/config.js';
import { createGateway } from '../src/gateway/gateway.js';

const gateway = await createGateway(loadConfig());
const url = await gateway.start();
let peak = 0;
let sampler: ReturnType<typeof setInterval> | undefined;

const connections = () => new Promise<number>((resolve) => gateway.server.getConnections((_e, n) => resolve(n)));

process.on('message', async (m: { op: string; gc?: boolean }) => {
  // A clean exit, so that --cpu-prof (LIVE_BENCH_CPU_PROF=1) can write its profile.
  if (m.op === 'exit') process.exit(0);
  if (m.op === 'gc') (globalThis as { gc?: () => void }).gc?.();
  if (m.op === 'sample') {
    peak = process.memoryUsage.rss();
    clearInterval(sampler);
    sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  }
  if (m.op === 'unsample') clearInterval(sampler);
  const cpu = process.cpuUsage();
  process.send!({ op: m.op, cpuUs: cpu.user + cpu.system, rss: process.memoryUsage.rss(), peak, connections: await connections() });
});
process.send!({ op: 'ready', url });
