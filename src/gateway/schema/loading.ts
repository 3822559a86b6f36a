/** Loader reads as the schema wants them: a missing row is null; any other failure is an error. */

/** Node lookups by id (node/nodes). */
export async function loadNodes<T>(
  loader: { loadMany(keys: readonly string[], mask?: number): Promise<(T | null | Error)[]> },
  ids: readonly string[],
  mask?: number,
): Promise<(T | null)[]> {
  return (await loader.loadMany(ids, mask)).map((row) => {
    if (!(row instanceof Error)) return row;
    if ((row as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') return null;
    throw row;
  });
}

/**
 * null for a NOT_FOUND, the error otherwise (a missing row is an answer, an unreachable upstream is not). `mask`:
 * the fieldsets the caller's selection needs (schema/selection.ts); absent = all.
 */
export function loadOrNull<T>(
  loader: { load(key: string, mask?: number): Promise<T | null>; loadOrNull?(key: string, mask?: number): Promise<T | null> },
  key: string,
  mask?: number,
): Promise<T | null> {
  // This runs for every row of a list's link: a by-id loader answers with its own cached promise (a missing row is
  // cached as null), anything else with one promise more, not an async function's two.
  if (loader.loadOrNull) return loader.loadOrNull(key, mask);
  return loader.load(key, mask).catch(nullIfNotFound);
}

function nullIfNotFound(err: unknown): null {
  if ((err as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') return null;
  throw err;
}
