/**
 * `npx tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [divisor] [n]`: self size by node type and
 * constructor name in the second snapshot minus the first, largest growth first, divided by `divisor` (e.g. the
 * number of subscribers that connected in between, for bytes per subscriber). Used for issue 12's RSS per subscriber
 * with snapshots from LIVE_BENCH_HEAPSNAPSHOT (bench/live-gateway.ts).
 */
import { readFileSync } from 'node:fs';

const [a, b, divisor = '1', n = '30'] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [divisor] [n]');
  process.exit(2);
}

function summarize(file: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const fields: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { size: number; count: number }>();
  const nodes: number[] = snap.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt!]!]!;
    const name = type === 'number' || type === 'hidden' ? '' : snap.strings[nodes[i + nameAt!]!];
    const key = `${type} ${String(name).slice(0, 60)}`;
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += nodes[i + sizeAt!]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

const before = summarize(a);
const after = summarize(b);
const d = Number(divisor);
const rows = [...after].map(([key, v]) => {
  const was = before.get(key) ?? { size: 0, count: 0 };
  return { key, bytes: (v.size - was.size) / d, count: (v.count - was.count) / d };
});
rows.sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((s, r) => s + r.bytes, 0);
console.log(`heap growth: ${(total / 1024).toFixed(2)} KiB per unit (divisor ${d})`);
console.table(rows.slice(0, Number(n)).map((r) => ({ ...r, bytes: Math.round(r.bytes), count: Math.round(r.count * 100) / 100 })));
