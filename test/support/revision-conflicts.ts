/**
 * No source states the upstream's status for a stale revision (docs/fidelity.md): the sandbox's 409 and the two
 * other plausible answers, so the gateway's typed conflict does not hang on the sandbox's choice.
 */
import { createSandboxClient } from './sandbox-client.js';

export const REVISION_CONFLICTS = [
  { status: 409, code: 'REVISION_MISMATCH' },
  { status: 428, code: 'WRONG_REVISION' },
  { status: 400, code: 'INVALID_REVISION' },
] as const;

/** Runs `fn` with the sandbox answering stale revisions as `conflict`, then puts back its default (409). */
export async function withRevisionConflict(sandboxUrl: string, conflict: { status: number; code: string }, fn: () => Promise<void>): Promise<void> {
  const control = createSandboxClient(sandboxUrl, null);
  await control.control('POST', '/__sandbox/behaviour', { revisionConflict: conflict });
  try {
    await fn();
  } finally {
    await control.control('POST', '/__sandbox/behaviour', { revisionConflict: REVISION_CONFLICTS[0] });
  }
}
