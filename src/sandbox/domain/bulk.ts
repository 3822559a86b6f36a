/**
 * Bulk endpoints (docs/upstream.md §1.6): a malformed item fails the whole request (the route checks every item
 * first); a state problem (not found, stale revision, over a limit) fails that item only, reported in its
 * `itemMetadata` with the application error, and the others still apply.
 */
import type { BulkActionMetadata, ItemMetadata } from '../../wire/types.js';
import { SandboxError } from '../errors.js';

export interface BulkOutcome<T> {
  itemMetadata: ItemMetadata;
  /** The item's result when it succeeded. */
  item?: T;
}

/**
 * Runs one item: its result, or its application error as a failed item. `id` names the item in its metadata
 * (given the result when there is one); anything but an application error fails the whole request.
 */
export function bulkItem<T>(originalIndex: number, run: () => T, id: (result?: T) => string | undefined): BulkOutcome<T> {
  try {
    const item = run();
    return { itemMetadata: { ...withId(id(item)), originalIndex, success: true }, item };
  } catch (err) {
    const error = err instanceof SandboxError ? err.body.details.applicationError : undefined;
    if (!error) throw err;
    return { itemMetadata: { ...withId(id()), originalIndex, success: false, error } };
  }
}

export function bulkActionMetadata(results: readonly { itemMetadata: ItemMetadata }[]): BulkActionMetadata {
  const totalSuccesses = results.filter((r) => r.itemMetadata.success).length;
  return { totalSuccesses, totalFailures: results.length - totalSuccesses, undetailedFailures: 0 };
}

function withId(id: string | undefined): { id?: string } {
  return id === undefined ? {} : { id };
}
