/**
 * Events Guests query (docs/upstream.md §4). Read-only: guests are derived from RSVPs and ticket orders by
 * domain/guests.ts, which also emits the guest webhooks.
 */
import type { EventGuest, GuestFieldset } from '../../wire/types.js';
import { invalidArgument } from '../errors.js';
import { projectGuest } from '../domain/guests.js';
import { runQuery, type QuerySpec } from '../query-language.js';
import { parseFieldsets } from './fieldsets.js';
import type { Route } from './types.js';

const DATE_OPS = ['$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$exists'] as const;
// The SDK comment on `ticketNumber` shows $startsWith (§4.3), so the id-like fields accept it too.
const ID_OPS = [...DATE_OPS, '$startsWith'] as const;

/** Filters and sort from the SDK column of §4.3 (no $nin; sort only on the date fields). */
export const GUESTS_QUERY_SPEC: QuerySpec = {
  fields: {
    createdDate: { ops: [...DATE_OPS], sort: 'BOTH' },
    updatedDate: { ops: [...DATE_OPS], sort: 'BOTH' },
    attendanceStatusUpdatedDate: { ops: [...DATE_OPS], sort: 'BOTH' },
    id: { ops: [...ID_OPS] },
    eventId: { ops: [...ID_OPS] },
    rsvpId: { ops: [...ID_OPS] },
    memberId: { ops: [...ID_OPS] },
    contactId: { ops: [...ID_OPS] },
    ticketNumber: { ops: [...ID_OPS] },
    orderNumber: { ops: [...ID_OPS] },
    secondaryLanguageCode: { ops: [...ID_OPS] },
    attendanceStatus: { ops: ['$eq', '$in', '$ne'] },
    guestType: { ops: ['$eq', '$in', '$ne'] },
    'guestDetails.checkedIn': { ops: ['$eq', '$ne', '$exists'] },
    tickets: { ops: ['$exists'] },
  },
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: 1000,
  paging: 'both',
  metadata: 'v2',
};

const GUEST_FIELDSETS: readonly GuestFieldset[] = ['GUEST_DETAILS', 'GUEST_TOTAL'];

export const guestsRoutes: Route[] = [
  {
    method: 'POST',
    paths: ['/events/v2/guests/query', '/events-guests/v2/guests/query', '/_api/events-guests/v2/guests/query'],
    handler({ tenant, body }) {
      if (!body?.query || typeof body.query !== 'object') throw invalidArgument({ field: 'query', description: 'is required' });
      const { fieldsets, ...query } = body.query;
      const fields = parseFieldsets(body.fields, GUEST_FIELDSETS, 3);
      // Deprecated `query.fieldsets: ["guestDetails"]` is the old spelling of GUEST_DETAILS (§4.1).
      for (const f of parseFieldsets(fieldsets, ['guestDetails'], 3, 'query.fieldsets')) {
        if (f === 'guestDetails' && !fields.includes('GUEST_DETAILS')) fields.push('GUEST_DETAILS');
      }
      const page = runQuery(tenant.db.guests.values(), query, GUESTS_QUERY_SPEC);
      return { guests: page.items.map((g: EventGuest) => projectGuest(g, fields)), pagingMetadata: page.pagingMetadata };
    },
  },
];
