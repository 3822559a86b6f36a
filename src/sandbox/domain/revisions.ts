/**
 * Optimistic concurrency (docs/upstream.md §1.5): every update names the revision it was based on, a stale one is
 * refused and changes nothing, and every accepted update moves the revision on by one.
 */
import { applicationError, type SandboxError } from '../errors.js';
import type { Tenant } from '../tenant.js';

/**
 * The refusal of a stale or wrong revision. No source states its status (§9): the default is 409 REVISION_MISMATCH,
 * the gRPC ABORTED mapping Wix uses for optimistic-concurrency conflicts, which lets a client tell "reload and
 * retry" apart from the state problems that are 428. POST /__sandbox/behaviour switches it (tenant.ts).
 */
export function revisionConflict(tenant: Tenant, description: string, data: Record<string, unknown>): SandboxError {
  const { status, code } = tenant.behaviour?.revisionConflict ?? { status: 409, code: 'REVISION_MISMATCH' };
  return applicationError(status, code, description, data);
}

/** The revision after `current` (an int64 as a decimal string; `initial` when there is none yet). */
export function nextRevision(current: string | undefined, initial = '1'): string {
  return String(BigInt(current ?? initial) + 1n);
}
