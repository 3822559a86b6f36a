/**
 * The typed errors mutations return as members of their result unions (Pothos errors plugin): failures a client
 * can act on — fix a field, re-read and retry with the current revision, stop adding people, try again later —
 * instead of a message in `errors[]`. Anything else (authentication, bugs) stays a top-level GraphQL error.
 *
 * Every error type implements the `Error` interface, so `... on Error { code message }` works on any result.
 */
import { UpstreamHttpError } from '../upstream/http.js';
import { ValidationError } from '../validation.js';
import { builder } from './builder.js';

/** Base of every typed mutation error; `code` is SCREAMING_SNAKE like the extensions.code of top-level errors. */
export abstract class MutationError extends Error {
  abstract readonly code: string;
}

export class NotFoundError extends MutationError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly resource: string,
    readonly id: string,
    message = `${resource} ${id} does not exist`,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The caller's revision is stale (docs/upstream.md §1.5): re-apply the change on `currentRevision`. */
export class RevisionConflictError extends MutationError {
  readonly code = 'REVISION_CONFLICT';
  constructor(
    readonly resource: string,
    readonly id: string,
    readonly sentRevision: string,
    /** Null when the entity vanished between the conflict and the re-read. */
    readonly currentRevision: string | null,
  ) {
    super(
      currentRevision === null
        ? `${resource} ${id} changed and no longer exists`
        : `${resource} ${id} is at revision ${currentRevision}, the change was made against revision ${sentRevision}`,
    );
    this.name = 'RevisionConflictError';
  }
}

/** More people than a booking, event or session has room for. */
export class CapacityExceededError extends MutationError {
  readonly code = 'CAPACITY_EXCEEDED';
  constructor(
    readonly field: string,
    message: string,
    /** How many were asked for. */
    readonly requested: number | null,
    /** How many fit (booked participants, free spots), when known. */
    readonly available: number | null,
  ) {
    super(message);
    this.name = 'CapacityExceededError';
  }
}

/** The upstream failed or refused for a reason none of the other types describe (closed, unavailable, ...). */
export class UpstreamMutationError extends MutationError {
  constructor(
    readonly code: string,
    message: string,
    /** The upstream's HTTP status; 0 when it never answered. */
    readonly status: number,
    /** The upstream's own applicationError code, e.g. RSVPS_CLOSED. */
    readonly upstreamCode: string | null,
    /** True when the same call may succeed later (timeouts, 5xx, rate limits) and resending it cannot double it. */
    readonly retryable: boolean,
    /** The write was sent and no answer came back: it may have been applied (read it back, or resend with the key). */
    readonly outcomeUnknown = false,
    /** The idempotency key the create used, so a retry reuses it (keyed creates only). */
    public idempotencyKey: string | null = null,
    /** How long the upstream asked to wait before retrying (its Retry-After, seconds or a date), when it said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'UpstreamMutationError';
  }
}

/**
 * The failure of one item of a bulk write (a guest, an attendance item). A plain object, not an Error: graphql-js
 * treats an Error returned from a resolver as thrown, so nested per-item errors cannot be the classes above.
 */
export interface ItemError {
  readonly kind: 'ItemError';
  code: string;
  message: string;
  /** The upstream's HTTP status; 0 when it was not (or could not be) called. */
  status: number;
  upstreamCode: string | null;
  retryable: boolean;
}

/** The one way to build an ItemError: the defaults say "not sent upstream, do not retry". */
export function itemError(fields: Pick<ItemError, 'code' | 'message'> & Partial<Omit<ItemError, 'kind'>>): ItemError {
  return { kind: 'ItemError', status: 0, upstreamCode: null, retryable: false, ...fields };
}

/** The ItemError for a thrown failure (typed mutation error, refusal, upstream call). */
export function itemErrorFrom(err: unknown): ItemError {
  if (err instanceof UpstreamMutationError) {
    return itemError({ code: err.code, message: err.message, status: err.status, upstreamCode: err.upstreamCode, retryable: err.retryable });
  }
  if (err instanceof MutationError || err instanceof ValidationError) return itemError({ code: err.code, message: err.message });
  if (err instanceof UpstreamHttpError) return itemErrorFrom(typedUpstreamError(err, 'item', ''));
  // Anything else is a bug or a transport failure whose text may carry upstream internals: the code says enough.
  return itemError({ code: 'UPSTREAM_ERROR', message: 'The item failed for an unexpected reason.' });
}

/** The error classes every mutation declares. */
export const MUTATION_ERRORS = [ValidationError, NotFoundError, RevisionConflictError, CapacityExceededError, UpstreamMutationError];

/**
 * The `errors:` option of every mutation field: the typed errors above as members of a result union named
 * `union` (e.g. CreateRsvpResult), the payload itself as the other member (directResult).
 */
export function mutationErrors<Name extends string>(union: Name) {
  return { types: MUTATION_ERRORS, directResult: true as const, union: { name: union } };
}

/**
 * Turns an upstream failure into the typed error a client can act on. `resource`/`id` name what the call was
 * about, for NOT_FOUND; `field` is the input a capacity refusal is about. Authentication and permission failures are not results of the mutation: they stay
 * top-level errors, as does anything that is not an upstream failure.
 */
export function typedUpstreamError(err: unknown, resource: string, id: string, field?: string): unknown {
  if (err instanceof MutationError || err instanceof ValidationError) return err;
  if (!(err instanceof UpstreamHttpError)) return err;
  if (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN') return err;
  if (err.code === 'NOT_FOUND') return new NotFoundError(resource, id);
  // The field path and rule only: the upstream's description is its own text and may echo the input.
  const violation = (err.extensions.fieldViolations as { field: string; rule?: string }[] | undefined)?.[0];
  if (violation) return new ValidationError(violation.field, 'the upstream refused this value', violation.rule ?? 'UPSTREAM');
  // GUEST_LIMIT_EXCEEDED / RSVP_LIMIT_EXCEEDED (docs/upstream.md §5.5); data.maxRsvpSize is the largest party that fits.
  if (err.upstreamCode && /LIMIT_EXCEEDED|CAPACITY/.test(err.upstreamCode)) {
    // CAPACITY_EXCEEDED for a participation larger than the session's remainingCapacity (the sandbox's reading of
    // §3: data {remainingCapacity, requested}).
    const data = err.details?.applicationError?.data ?? {};
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    return new CapacityExceededError(field ?? resource, err.message, num(data.requested), num(data.maxRsvpSize) ?? num(data.remainingCapacity));
  }
  // upstream/http.ts decided it (retryDecision): a write with an unknown outcome is not plainly retryable.
  const retryAfter = err.retryAfterMs === undefined ? null : Math.max(0, Math.ceil(err.retryAfterMs / 1000));
  return new UpstreamMutationError(err.code, err.message, err.status, err.upstreamCode ?? null, err.retryable, err.outcomeUnknown, null, retryAfter);
}

/** Whether an upstream error is a stale revision (the sandbox: HTTP 409 REVISION_MISMATCH). */
export function isRevisionConflict(err: unknown): err is UpstreamHttpError {
  return err instanceof UpstreamHttpError && err.code === 'REVISION_CONFLICT';
}

export function isUpstreamNotFound(err: unknown): boolean {
  return err instanceof UpstreamHttpError && err.code === 'NOT_FOUND';
}

/**
 * The one answer to a stale revision, for any revisioned entity (RSVP, participation): re-read it so the error
 * carries the revision to retry with, or null when it was deleted meanwhile. `remember` primes the request's
 * loaders with what was read, so a later selection in the same operation sees it too.
 */
/**
 * The typed conflict when a refused update was made against a stale revision, else null. No source states the
 * upstream's status for a stale revision (docs/upstream.md §9; the sandbox answers 409 REVISION_MISMATCH), so a
 * 409 is one outright, and a 400 or 428 is one when a re-read shows the entity has moved past the sent revision.
 */
export async function staleRevisionConflict<T extends { revision?: string | null }>(
  err: unknown,
  resource: string,
  id: string,
  sentRevision: string,
  reread: () => Promise<T>,
  remember: (current: T) => void,
): Promise<RevisionConflictError | null> {
  if (isRevisionConflict(err)) return revisionConflict(resource, id, sentRevision, reread, remember);
  if (!(err instanceof UpstreamHttpError) || (err.status !== 400 && err.status !== 428)) return null;
  let current: T;
  try {
    current = await reread();
  } catch (readErr) {
    if (isUpstreamNotFound(readErr)) return new RevisionConflictError(resource, id, sentRevision, null);
    return null;
  }
  remember(current);
  return current.revision != null && current.revision !== sentRevision ? new RevisionConflictError(resource, id, sentRevision, current.revision) : null;
}

export async function revisionConflict<T extends { revision?: string | null }>(
  resource: string,
  id: string,
  sentRevision: string,
  reread: () => Promise<T>,
  remember: (current: T) => void,
): Promise<RevisionConflictError> {
  try {
    const current = await reread();
    remember(current);
    return new RevisionConflictError(resource, id, sentRevision, current.revision ?? null);
  } catch (err) {
    if (isUpstreamNotFound(err)) return new RevisionConflictError(resource, id, sentRevision, null);
    throw typedUpstreamError(err, resource, id);
  }
}

// Schema types ---------------------------------------------------------------------------------------------------

export const ErrorInterface = builder.interfaceRef<MutationError | ValidationError | ItemError>('Error').implement({
  description: 'A failure a client can act on. Every mutation result union holds only types implementing it besides its payload.',
  fields: (t) => ({
    code: t.exposeString('code', { nullable: false, description: 'SCREAMING_SNAKE code, stable across versions.' }),
    message: t.exposeString('message', { nullable: false }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input the gateway refused before it reached upstream (or the upstream refused), naming the field.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    field: t.exposeString('field', { nullable: false, description: 'Path of the offending input field, e.g. input.items[3].numberOfAttendees.' }),
    reason: t.exposeString('reason', { nullable: false }),
    rule: t.exposeString('rule', { nullable: false, description: 'REQUIRED, FORMAT, MIN_LENGTH, MAX_LENGTH, RANGE, CONTRADICTION, DUPLICATE, ...' }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    resource: t.exposeString('resource', { nullable: false, description: 'Booking, Event, Rsvp, Participation, Attendance, ...' }),
    id: t.exposeString('id', { nullable: false }),
  }),
});

builder.objectType(RevisionConflictError, {
  name: 'RevisionConflictError',
  description: 'The revision sent is stale: someone changed the object first. Retry with currentRevision.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RevisionConflictError,
  fields: (t) => ({
    resource: t.exposeString('resource', { nullable: false }),
    id: t.exposeString('id', { nullable: false }),
    sentRevision: t.exposeString('sentRevision', { nullable: false }),
    currentRevision: t.exposeString('currentRevision', { nullable: true }),
  }),
});

builder.objectType(CapacityExceededError, {
  name: 'CapacityExceededError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof CapacityExceededError,
  fields: (t) => ({
    field: t.exposeString('field', { nullable: false }),
    requested: t.exposeInt('requested', { nullable: true }),
    available: t.exposeInt('available', { nullable: true }),
  }),
});

builder.objectType(UpstreamMutationError, {
  name: 'UpstreamError',
  description: 'The upstream API failed or refused for a reason the other error types do not describe.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof UpstreamMutationError,
  fields: (t) => ({
    status: t.exposeInt('status', { nullable: false, description: 'Upstream HTTP status; 0 when it never answered.' }),
    upstreamCode: t.exposeString('upstreamCode', { nullable: true }),
    retryable: t.exposeBoolean('retryable', { nullable: false }),
    outcomeUnknown: t.exposeBoolean('outcomeUnknown', {
      nullable: false,
      description: 'The write was sent and no answer came back, so it may have been applied: read before writing again, or resend with the same idempotencyKey.',
    }),
    idempotencyKey: t.exposeID('idempotencyKey', { nullable: true, description: 'The key this create used; resend it to retry without a second write.' }),
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      nullable: true,
      description: 'When the upstream said how long to wait (Retry-After on a 429 or 503): wait at least this long before retrying.',
    }),
  }),
});

export const ItemErrorRef = builder.objectRef<ItemError>('ItemError').implement({
  description: 'Why one item of a bulk write (one guest, one attendance) failed; the other items are unaffected.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => (value as ItemError | null)?.kind === 'ItemError',
  fields: (t) => ({
    status: t.exposeInt('status', { nullable: false, description: 'Upstream HTTP status; 0 when the gateway did not send the item.' }),
    upstreamCode: t.exposeString('upstreamCode', { nullable: true, description: 'e.g. GUEST_ALREADY_CHECKED_IN.' }),
    retryable: t.exposeBoolean('retryable', { nullable: false }),
  }),
});
