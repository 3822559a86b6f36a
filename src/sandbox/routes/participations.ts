/**
 * Calendar Participations v3 (docs/upstream.md §3; seed 002): create (with idempotencyKey), get, update with optimistic
 * concurrency, delete, query; max query limit 100 (LIMITS.participationsQueryMax), cursor paging.
 * The rules (capacity, revisions, idempotency, input formats) and webhooks live in domain/calendar.ts.
 */
import { LIMITS } from '../../wire/paths.js';
import { createParticipation, deleteParticipation, getParticipation, updateParticipation } from '../domain/calendar.js';
import { runQuery, type QuerySpec } from '../query-language.js';
import type { Route } from './types.js';

/** Filters and sort of §3.3 (seed 002 "Supported filters and sorting"). */
export const PARTICIPATIONS_QUERY_SPEC: QuerySpec = {
  fields: {
    id: { ops: ['$in'] },
    eventId: { ops: ['$eq', '$in'] },
    scheduleId: { ops: ['$eq', '$in'] },
    externalId: { ops: ['$eq', '$in'] },
    createdDate: { ops: [], sort: 'BOTH' },
  },
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: LIMITS.participationsQueryMax,
  paging: 'cursor',
  metadata: 'cursor',
};

const PREFIX = '/calendar/v3/participations';

export const participationsRoutes: Route[] = [
  {
    method: 'POST',
    paths: [PREFIX],
    handler({ tenant, body }) {
      return { participation: createParticipation(tenant, body.participation, body.idempotencyKey) };
    },
  },
  {
    method: 'POST',
    paths: [`${PREFIX}/query`],
    handler({ tenant, body }) {
      const { items, pagingMetadata } = runQuery(tenant.db.participations.values(), body.query, PARTICIPATIONS_QUERY_SPEC);
      return { participations: items, pagingMetadata };
    },
  },
  {
    method: 'GET',
    paths: [`${PREFIX}/{participationId}`],
    handler({ tenant, params }) {
      return { participation: getParticipation(tenant, params.participationId!) };
    },
  },
  {
    method: 'PATCH',
    paths: [`${PREFIX}/{participation.id}`],
    handler({ tenant, params, body }) {
      return { participation: updateParticipation(tenant, params['participation.id']!, body.participation) };
    },
  },
  {
    method: 'DELETE',
    paths: [`${PREFIX}/{participationId}`],
    handler({ tenant, params }) {
      deleteParticipation(tenant, params.participationId!);
      return {};
    },
  },
];
