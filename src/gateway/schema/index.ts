/** Imports every type file (each registers its types and root fields on the builder) and exports the schema. */
import { specifiedDirectives } from 'graphql';
import { GraphQLLiveDirective } from '@envelop/live-query';
import { builder } from './builder.js';
import { tolerateUnknownEnumValues } from './filters.js';
import { dropPropertyReadResolvers } from './plain-fields.js';
import './scalars.js';
import './session.js';
import './booking.js';
import './attendance.js';
import './participation.js';
import './event.js';
import './guest.js';
import './rsvp.js';
import './contact.js';
import './reports.js';
import './errors.js';
import './attendance-mutations.js';
import './rsvp-mutations.js';
import './participation-mutations.js';
import './subscriptions.js';

export const schema = tolerateUnknownEnumValues(builder.toSchema({ sortSchema: true, directives: [...specifiedDirectives, GraphQLLiveDirective] }));
// Property reads need no resolver call per row (plain-fields.ts).
dropPropertyReadResolvers(schema);
