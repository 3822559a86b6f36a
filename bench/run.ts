/**
 * `npm run bench`: runs every benchmark in one process on this machine, prints their tables and writes the figures
 * to bench/results/<date>.json. Targets are ratios taken in one run (batched vs unbatched calls, p99 vs p50), never
 * absolute times: these shared 2-core machines vary too much for timed assertions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benches: Record<string, () => Promise<{ run(flags: string[]): Promise<object> }>> = {
  sandbox: () => import('./sandbox.js'),
  query: () => import('./query.js'),
  graph: () => import('./graph.js'),
  live: () => import('./live.js'),
  fuzz: () => import('./fuzz.js'),
  export: () => import('./export.js'),
  observability: () => import('./observability.js'),
};

// `npm run bench query -- --quick`: names pick benchmarks, flags go to each of them.
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const results: Record<string, object> = {};
for (const [name, load] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n## ${name}`);
  const started = performance.now();
  results[name] = await (await load()).run(flags);
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}${new Date().toISOString().replace(/[:.]/g, '-')}${only.length ? `-${only.join('-')}` : ''}${flags.includes('--quick') ? '-quick' : ''}.json`;
writeFileSync(file, JSON.stringify({ node: process.version, at: new Date().toISOString(), results }, null, 2));
console.log(`\nwrote ${file}`);
process.exit(0);
