/**
 * Which upstream fieldsets a field's selection needs (docs/upstream.md §4.1 guests, §5.2 RSVPs, §6.2 events), as
 * the mask the loaders take. Each table lists the graph fields of a type that read a fieldset's properties and the
 * fields that need none; a field in neither (one added later) asks for every fieldset, so a new field is never
 * answered with null for want of a fieldset, only read with more than it needs until it is listed here.
 */
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { allFieldsets, FIELDSETS } from '../loaders.js';

type Kind = keyof typeof FIELDSETS;

interface Table {
  all: number;
  /** graph field -> mask of the fieldsets it reads; 0 for fields of the base projection or links by id. */
  masks: Map<string, number>;
}

function table<K extends Kind>(kind: K, base: readonly string[], needs: Record<string, (typeof FIELDSETS)[K][number]>): Table {
  const fieldsets: readonly string[] = FIELDSETS[kind];
  const masks = new Map<string, number>(base.map((f) => [f, 0]));
  for (const [field, fieldset] of Object.entries(needs)) masks.set(field, 1 << fieldsets.indexOf(fieldset));
  return { all: allFieldsets(fieldsets), masks };
}

const TABLES: Record<Kind, Table> = {
  event: table(
    'event',
    ['id', 'eventId', 'title', 'slug', 'status', 'dateAndTimeSettings', 'location', 'guestListDisplayedPublicly', 'createdDate', 'updatedDate',
      'guests', 'rsvps', 'rsvpSummary', 'checkInStats'],
    {
      shortDescription: 'DETAILS',
      mainImage: 'DETAILS',
      calendarUrls: 'DETAILS',
      description: 'TEXTS',
      registration: 'REGISTRATION',
      eventPageUrl: 'URLS',
      form: 'FORM',
      summaries: 'DASHBOARD',
    },
  ),
  guest: table(
    'guest',
    ['id', 'guestId', 'eventId', 'rsvpId', 'orderNumber', 'ticketNumber', 'contactId', 'attendanceStatus', 'secondaryLanguageCode', 'createdDate',
      'updatedDate', 'attendanceStatusUpdatedDate', 'memberId', 'guestType', 'locale', 'revision', 'additionalDetails', 'rsvp', 'event', 'contact'],
    { guestDetails: 'GUEST_DETAILS', tickets: 'GUEST_DETAILS', totalGuests: 'GUEST_TOTAL' },
  ),
  rsvp: table(
    'rsvp',
    ['id', 'rsvpId', 'revision', 'eventId', 'memberId', 'contactId', 'status', 'anonymized', 'event', 'eventGuest', 'contact'],
    {
      createdDate: 'DETAILS',
      updatedDate: 'DETAILS',
      firstName: 'DETAILS',
      lastName: 'DETAILS',
      totalGuests: 'DETAILS',
      guests: 'DETAILS',
      fullyCheckedIn: 'DETAILS',
      checkedInGuestCount: 'DETAILS',
      additionalGuestCount: 'DETAILS',
      additionalGuestNames: 'DETAILS',
      disableNotifications: 'DETAILS',
      language: 'DETAILS',
      locale: 'DETAILS',
      marketingConsent: 'DETAILS',
      form: 'FORM',
      email: 'CONTACT_DETAILS',
    },
  ),
};

/** The mask of named fieldsets, for a resolver that reads rows itself rather than through its selection. */
export function fieldsetMask<K extends Kind>(kind: K, names: readonly (typeof FIELDSETS)[K][number][]): number {
  const fieldsets: readonly string[] = FIELDSETS[kind];
  return names.reduce((mask, name) => mask | (1 << fieldsets.indexOf(name)), 0);
}

// graphql-js hands every row of a list the same fieldNodes array, so a field's mask is worked out once per
// operation, not once per row.
const cache: Record<Kind, WeakMap<readonly FieldNode[], number>> = { event: new WeakMap(), guest: new WeakMap(), rsvp: new WeakMap() };

/**
 * The fieldsets of `kind` that the field being resolved selects: on the rows it returns, or for a connection
 * (`connection: true`) on its edges' nodes.
 * A field resolved per row uses linkFieldsets instead.
 */
export function selectedFieldsets(kind: Kind, info: GraphQLResolveInfo, connection = false): number {
  const fieldNodes = info.fieldNodes;
  const known = cache[kind].get(fieldNodes);
  return known !== undefined ? known : selectionMask(kind, fieldNodes, info.fragments, connection);
}

/**
 * selectedFieldsets for a field resolved once per row (a guest's `rsvp`, an RSVP's `event`), called with
 * `info.fieldNodes` and `info.fragments` read by the resolver itself. graphql-jit (compiled-queries.ts) builds a
 * resolve info and its response path (nine objects deep for a guest of an event's guest list) for every call of
 * such a resolver; when the resolver hands `info` to no function, V8 inlines it into the compiled list handler and
 * never allocates them. Passing `info` on, even to a function V8 inlines too, cost ~450 bytes per guest
 * (allocation per 100-event query 7.79 -> 7.01 MB).
 */
export function linkFieldsets(kind: Kind, fieldNodes: readonly FieldNode[], fragments: GraphQLResolveInfo['fragments']): number {
  const known = cache[kind].get(fieldNodes);
  return known !== undefined ? known : selectionMask(kind, fieldNodes, fragments, false);
}

/** selectedFieldsets' first reading of a field's selection, cached by its fieldNodes. */
function selectionMask(kind: Kind, fieldNodes: readonly FieldNode[], fragments: GraphQLResolveInfo['fragments'], connection: boolean): number {
  const t = TABLES[kind];
  let mask = 0;
  const visit = (set: SelectionSetNode | undefined, depth: 'connection' | 'edges' | 'row') => {
    if (!set) return;
    for (const sel of set.selections) {
      if (sel.kind === 'InlineFragment') visit(sel.selectionSet, depth);
      else if (sel.kind === 'FragmentSpread') visit(fragments[sel.name.value]?.selectionSet, depth);
      else if (depth === 'connection') {
        // pageInfo and counts need no row fields
        if (sel.name.value === 'edges') visit(sel.selectionSet, 'edges');
        else if (sel.name.value === 'nodes') visit(sel.selectionSet, 'row');
      } else if (depth === 'edges') {
        if (sel.name.value === 'node') visit(sel.selectionSet, 'row');
      } else mask |= sel.name.value.startsWith('__') ? 0 : (t.masks.get(sel.name.value) ?? t.all);
    }
  };
  for (const node of fieldNodes) visit(node.selectionSet, connection ? 'connection' : 'row');
  cache[kind].set(fieldNodes, mask);
  return mask;
}

const totals = new WeakMap<readonly FieldNode[], boolean>();

/**
 * Whether the connection field being resolved selects `totalCount` (directly, or in a fragment on the connection),
 * so a count the page read does not carry is asked for only then.
 */
export function selectsTotalCount(info: GraphQLResolveInfo): boolean {
  const known = totals.get(info.fieldNodes);
  if (known !== undefined) return known;
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((sel) =>
      sel.kind === 'Field'
        ? sel.name.value === 'totalCount'
        : visit(sel.kind === 'InlineFragment' ? sel.selectionSet : info.fragments[sel.name.value]?.selectionSet),
    );
  const selected = info.fieldNodes.some((node) => visit(node.selectionSet));
  totals.set(info.fieldNodes, selected);
  return selected;
}
