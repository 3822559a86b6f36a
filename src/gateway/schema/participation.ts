/** Participation: a party's registration for a calendar event or schedule (Calendar Participations v3, docs/upstream.md §3). */
import type { Participant } from '../../wire/types.js';
import { globalId } from '../validation.js';
import { builder } from './builder.js';
import { addRootQueries } from './roots.js';
import { defineFilter, sharedEnum } from './filters.js';
import { linkConnection, LINK_COUNTED, uncountedConnection } from './paging.js';
import { selectsTotalCount } from './selection.js';
import { ContactRef, ParticipationRef, SessionRef } from './refs.js';
import { loadNodes, loadOrNull } from './loading.js';

export const ParticipationStatusEnum = sharedEnum('ParticipationStatus', ['CONFIRMED', 'PENDING_CONFIRMATION']);

// Exactly the docs' table: id $in; eventId, scheduleId, externalId $eq/$in; sort by createdDate only (§3.3).
export const participationFilter = defineFilter(
  'Participation',
  {
    id: { path: 'id', type: 'ID', ops: ['in'] },
    sessionId: { path: 'eventId', type: 'ID', ops: ['eq', 'in'], description: 'The calendar event id (wire eventId).' },
    scheduleId: { path: 'scheduleId', type: 'ID', ops: ['eq', 'in'] },
    externalId: { path: 'externalId', type: 'ID', ops: ['eq', 'in'] },
  },
  { createdDate: { path: 'createdDate', orders: 'BOTH' } },
);

const ParticipantRef = builder.objectRef<Participant>('Participant').implement({
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    contactId: t.exposeString('contactId', { nullable: true }),
  }),
});

builder.node(ParticipationRef, {
  id: { resolve: (p) => p.id! },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.participation, ids),
  fields: (t) => ({
    participationId: t.exposeString('id', { nullable: true }),
    externalId: t.exposeString('externalId', { nullable: true }),
    participant: t.field({ type: ParticipantRef, nullable: true, resolve: (p) => p.participant }),
    partySize: t.exposeInt('partySize', { nullable: true }),
    status: t.field({ type: ParticipationStatusEnum, nullable: true, resolve: (p) => p.status }),
    appId: t.exposeString('appId', { nullable: true }),
    revision: t.exposeString('revision', { nullable: true }),
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.updatedDate }),
    extendedFields: t.field({ type: 'JSON', nullable: true, resolve: (p) => p.extendedFields }),
    scheduleId: t.exposeString('scheduleId', { nullable: true }),
    sessionId: t.exposeString('eventId', { nullable: true, description: 'The calendar event id (wire eventId).' }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      resolve: (p, _args, ctx) => (p.eventId ? loadOrNull(ctx.loaders.session, p.eventId) : null),
    }),
    contact: t.field({
      type: ContactRef,
      nullable: true,
      resolve: (p) => (p.participant?.contactId ? { contactId: p.participant.contactId } : null),
    }),
  }),
});

builder.queryFields((t) => ({
  scheduleParticipations: t.connection({
    type: ParticipationRef,
    description: 'Participations in a whole schedule (participations linked by scheduleId).',
    args: { scheduleId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx, info) =>
      linkConnection(args, ctx.loaders.participationsBySchedule, globalId(null, String(args.scheduleId), 'scheduleId'), undefined, selectsTotalCount(info)),
  }, LINK_COUNTED),
}));

addRootQueries({
  typename: 'Participation',
  resource: 'participation',
  ref: ParticipationRef,
  filter: participationFilter,
  plural: 'participations',
  connection: uncountedConnection(
    'Calendar Participations answer no total and have no count endpoint (docs/upstream.md §3.1). ' +
      'Session.participations and scheduleParticipations count their rows.',
  ),
});
