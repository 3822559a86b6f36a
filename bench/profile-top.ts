/**
 * `npx tsx bench/profile-top.ts <file.cpuprofile> [n]`: the top of a V8 CPU profile (node --cpu-prof, or
 * `npm run bench query -- --profile`, which profiles the gateway): self time per function, and per file.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, n = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile-top.ts <file.cpuprofile> [n]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
// Shares of busy time: idle samples (waiting on the network) are left out.
const idle = new Set(profile.nodes.filter((x) => x.callFrame.functionName === '(idle)').map((x) => x.id));
const total = profile.samples.filter((id) => !idle.has(id)).length;
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const count = hits.get(node.id) ?? 0;
  if (!count || idle.has(node.id)) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '~/').replace(process.cwd() + '/', '');
  const fn = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + count);
  const pkg = !where ? functionName : where.startsWith('~/') ? where.split('/').slice(0, where.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : where;
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + count);
}
const top = (m: Map<string, number>) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n)).map(([name, c]) => `${((100 * c) / total).toFixed(1).padStart(5)}%  ${name}`);
console.log(`${total} busy samples of ${profile.samples.length}\n\nself time by function:\n${top(byFunction).join('\n')}\n\nself time by file or package:\n${top(byFile).join('\n')}`);
