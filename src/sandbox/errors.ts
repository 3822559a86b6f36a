/**
 * Upstream-shaped errors (docs/upstream.md §1.7). A handler throws a SandboxError; the server turns it into the HTTP
 * status and the `{message, details}` body the official SDK parses.
 */
import type { ApplicationError, ErrorBody, FieldViolation } from '../wire/types.js';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/** 400 INVALID_ARGUMENT with field violations (bad filter, bad field, missing required field). */
export function invalidArgument(...violations: FieldViolation[]): SandboxError {
  const message = violations.map((v) => `${v.field}: ${v.description}`).join('; ') || 'INVALID_ARGUMENT';
  return new SandboxError(400, { message, details: { validationError: { fieldViolations: violations } } });
}

/** An application error (`details.applicationError`) with the given HTTP status. */
export function applicationError(status: number, code: string, description: string, data: Record<string, unknown> = {}): SandboxError {
  const applicationError: ApplicationError = { code, description, data };
  return new SandboxError(status, { message: description, details: { applicationError } });
}

export const notFound = (code: string, description: string, data?: Record<string, unknown>) =>
  applicationError(404, code, description, data);
/** 428 FAILED_PRECONDITION: the docs pair state problems (limits, already checked in, stale revision) with 428. */
export const failedPrecondition = (code: string, description: string, data?: Record<string, unknown>) =>
  applicationError(428, code, description, data);
export const unauthenticated = () => applicationError(401, 'UNAUTHENTICATED', 'Missing or invalid Authorization header');
