/**
 * FieldsetLoader (src/gateway/loaders.ts) in process, the batching a by-id link relies on: one batch per tick with the
 * union of its keys' fieldsets, null (or NOT_FOUND) for a key the batch answered null, one promise per key, a key
 * cleared or read again with more fieldsets while its batch is in flight still getting its own row, and a failed
 * batch not cached. The reads behind it are plain functions here; the graph tests run the same loaders against the
 * sandbox.
 */
import { describe, expect, it } from 'vitest';
import { FieldsetLoader } from '../src/gateway/loaders.js';

type Row = { id: string; v: number };

function loader(rows: (keys: readonly string[], mask: number) => Row[], missing = true, gate: Promise<unknown> = Promise.resolve()) {
  const calls: { keys: string[]; mask: number }[] = [];
  const l = new FieldsetLoader<Row | null>(
    async (keys, mask) => {
      calls.push({ keys: [...keys], mask });
      await gate;
      const found = new Map<string, Row>();
      for (const row of rows(keys, mask)) if (!found.has(row.id)) found.set(row.id, row);
      return keys.map((key) => found.get(key) ?? null);
    },
    3,
    100,
    missing ? (key) => Object.assign(new Error(`Row ${key} not found`), { extensions: { code: 'NOT_FOUND' } }) : undefined,
  );
  return { l, calls };
}

describe('FieldsetLoader', () => {
  it('batches a tick of loads into one call with the union of their fieldsets, gives every load of a key its one promise, null for a key not found', async () => {
    const { l, calls } = loader((keys) => [...keys].reverse().flatMap((id) => (id === 'x' ? [] : [{ id, v: 1 }, { id, v: 2 }])));
    const a1 = l.loadOrNull('a', 1);
    const a2 = l.loadOrNull('a', 1);
    expect(a1).toBe(a2);
    const [a, b, x] = await Promise.all([a1, l.loadOrNull('b', 2), l.loadOrNull('x', 1)]);
    expect(calls).toEqual([{ keys: ['a', 'b', 'x'], mask: 3 }]);
    expect([a, b, x]).toEqual([{ id: 'a', v: 1 }, { id: 'b', v: 1 }, null]);
    await expect(l.load('x', 1)).rejects.toThrow('Row x not found');
    expect(calls).toHaveLength(1);
  });

  it('a key cleared, or read again with more fieldsets, while its batch is in flight still gets its own row', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { l, calls } = loader((keys, mask) => keys.map((id) => ({ id, v: mask })), true, gate);
    const first = l.loadOrNull('a', 1);
    const other = l.loadOrNull('b', 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);
    l.clear('b');
    const wider = l.loadOrNull('a', 2);
    open();
    expect(await first).toEqual({ id: 'a', v: 1 });
    expect(await other).toEqual({ id: 'b', v: 1 });
    expect(await wider).toEqual({ id: 'a', v: 3 });
    expect(calls).toEqual([{ keys: ['a', 'b'], mask: 1 }, { keys: ['a'], mask: 3 }]);
  });

  it('a failed batch rejects its loads and is not cached', async () => {
    let fail = true;
    const { l, calls } = loader((keys) => {
      if (fail) throw new Error('upstream down');
      return keys.map((id) => ({ id, v: 0 }));
    });
    await expect(l.loadOrNull('a', 1)).rejects.toThrow('upstream down');
    fail = false;
    expect(await l.loadOrNull('a', 1)).toEqual({ id: 'a', v: 0 });
    expect(calls).toHaveLength(2);
  });

  it('a key cleared before its batch leaves and loaded again is read once, and both loads get its row', async () => {
    const { l, calls } = loader((keys, mask) => keys.map((id) => ({ id, v: mask })));
    const first = l.loadOrNull('a', 1);
    l.clear('a');
    const again = l.loadOrNull('a', 2);
    expect(again).not.toBe(first);
    expect(await Promise.all([first, again])).toEqual([{ id: 'a', v: 3 }, { id: 'a', v: 3 }]);
    expect(calls).toEqual([{ keys: ['a'], mask: 3 }]);
  });
});
