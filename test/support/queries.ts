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
