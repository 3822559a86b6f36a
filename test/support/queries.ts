/** Operations shared by the tests and the benchmarks. */

/** events -> guests -> rsvp -> contact -> participations -> session -> attendances, for 20 events. */
export const DEEP_WALK = `{
  events(first: 20) { edges { node { eventId title
    guests(first: 50) { edges { node { guestId
      rsvp { rsvpId status
        contact { contactId
          participations(first: 10) { edges { node { participationId partySize
            session { sessionId title
              attendances(first: 10) { edges { node { attendanceId status numberOfAttendees } } } } } } } } } } } } } } }
}`;

/** Every typed error a mutation result union can hold, with its fields. */
export const ERROR_FIELDS = `
  __typename
  ... on Error { code message }
  ... on ValidationError { field reason rule }
  ... on NotFoundError { resource id }
  ... on RevisionConflictError { sentRevision currentRevision }
  ... on CapacityExceededError { field requested available }
  ... on UpstreamError { status upstreamCode retryable }
`;
