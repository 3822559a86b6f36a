/**
 * The operations GraphiQL opens with, one tab each. They run as they are: the ids they need (an RSVP event and one
 * of its YES RSVPs) are looked up through the gateway itself on the first GraphiQL load, with the gateway's own
 * credentials, so they work against `npm start`'s demo data and against a real site alike. When the lookup finds
 * nothing (or fails), the tabs still open with the ids left for the user to fill in.
 */

/** The deep walk `npm start` prints: events → guests → RSVP → contact → participations → session. */
export const SAMPLE_QUERY = `{
  events(first: 3, filter: { initialType: { eq: RSVP } }) {
    edges { node { title checkInStats { checkedIn attending ratio }
      guests(first: 3) { edges { node { guestDetails { firstName lastName checkedIn }
        rsvp { status guests { guestId fullName checkedIn } }
        contact { participations { edges { node { partySize session { title attendanceSummary { noShowRate } } } } } } } } } } }
  }
}`;

export interface ExampleIds {
  /** Raw Wix Events id of an RSVP event. */
  eventId: string;
  /** Raw id of a YES RSVP of that event (the check-in tab checks in its first guest). */
  rsvpId: string;
}

export interface ExampleTab {
  query: string;
  variables?: string;
}

/** The tabs, in the order a newcomer reads them. */
export function exampleTabs(ids: ExampleIds | null): ExampleTab[] {
  const eventId = ids?.eventId ?? '<an event id: run the first tab and copy one>';
  const rsvpId = ids?.rsvpId ?? '<an RSVP id of that event>';
  return [
    { query: `# Events, their guests, each guest's RSVP and contact, and what else that contact booked.\nquery DeepWalk ${SAMPLE_QUERY}` },
    {
      query: `# No-show rate across every session since the start of 2026 (the demo data's calendar).
query NoShowReport {
  noShowReport(filter: { start: { gte: "2026-01-01T00:00:00Z" } }) {
    sessions complete bookedParticipants attendees noShowRate
  }
}`,
    },
    {
      query: `# No-show rate per week, and check-in ratio per event: grouped reports with a date range.
query GroupedReports {
  attendanceReport(groupBy: WEEK, range: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) {
    complete cutOffReason
    groups { key label sessions bookedParticipants attendees noShowRate }
  }
  checkInReport(groupBy: EVENT) {
    complete
    groups { key label checkedIn attending ratio rsvpYes rsvpNo rsvpWaitlist }
  }
}`,
    },
    {
      query: `# Check in the first guest of an RSVP. Open the CheckInCounter tab first to see the count move.
mutation CheckIn($input: RsvpGuestsInput!) {
  checkInRsvpGuests(input: $input) {
    __typename
    ... on RsvpGuestsPayload { successCount results { guestId success error { code message } } rsvp { checkedInGuestCount totalGuests } }
    ... on Error { code message }
  }
}`,
      variables: JSON.stringify({ input: { rsvpId, guestIds: [1] } }, null, 2),
    },
    {
      query: `# The event's checked-in count: the current value first, then one message per change.
subscription CheckInCounter($eventId: ID!) {
  checkInCounter(eventId: $eventId) { eventId checkedIn asOf }
}`,
      variables: JSON.stringify({ eventId }, null, 2),
    },
  ];
}

/** Finds an RSVP event with a YES RSVP that still has a guest to check in. */
export const EXAMPLE_IDS_QUERY = `{
  events(first: 20, filter: { initialType: { eq: RSVP } }) {
    edges { node { eventId rsvps(first: 100) { edges { node { rsvpId status totalGuests checkedInGuestCount } } } } }
  }
}`;

interface LookupResult {
  data?: {
    events?: {
      edges: { node: { eventId: string; rsvps: { edges: { node: { rsvpId: string; status: string; totalGuests?: number; checkedInGuestCount?: number } }[] } } }[];
    };
  };
}

export function pickExampleIds(result: LookupResult): ExampleIds | null {
  for (const { node: event } of result.data?.events?.edges ?? []) {
    const rsvp = event.rsvps.edges.map((e) => e.node).find((r) => r.status === 'YES' && (r.checkedInGuestCount ?? 0) < (r.totalGuests ?? 1));
    if (rsvp) return { eventId: event.eventId, rsvpId: rsvp.rsvpId };
  }
  return null;
}
