/**
 * The RSVP write planners (src/gateway/schema/rsvp-plans.ts) in process: what a check-in sends and refuses, and
 * which waitlisted RSVPs a promotion moves. The mutations over real HTTP are in mutations-rsvp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Rsvp, WixEvent } from '../src/wire/types.js';
import { NotFoundError } from '../src/gateway/schema/errors.js';
import { planGuestChange, planPromotion, rsvpsToReread, selectGuests, spotsLeft } from '../src/gateway/schema/rsvp-plans.js';
import { ValidationError } from '../src/gateway/validation.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function rsvp(id: string, checkedIn: boolean[], extra: Partial<Rsvp> = {}): Rsvp {
  return {
    id,
    guestList: { guests: checkedIn.map((c, i) => ({ guestId: i + 1, checkInDetails: { checkedIn: c } })) },
    ...extra,
  } as Rsvp;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('selectGuests', () => {
  it('deduplicates a guest named twice and keeps input order across forms', () => {
    const wanted = selectGuests({ rsvpId: A, guestIds: [2, 1, 2], guests: [{ rsvpId: B, guestId: 3 }, { rsvpId: A, guestId: 1 }] });
    expect([...wanted.values()]).toEqual([
      { rsvpId: A, guestIds: [2, 1] },
      { rsvpId: B, guestIds: [3] },
    ]);
  });

  it('reads rsvpId without guestIds as every guest of the RSVP', () => {
    expect([...selectGuests({ rsvpId: A }).values()]).toEqual([{ rsvpId: A, guestIds: null }]);
  });

  it('refuses guestIds without their RSVP, naming input.rsvpId', () => {
    const err = thrown(() => selectGuests({ guestIds: [1] })) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.field).toBe('input.rsvpId');
  });

  it('refuses an input naming nobody, and a malformed guest id with its path', () => {
    expect((thrown(() => selectGuests({})) as ValidationError).field).toBe('input.guests');
    expect((thrown(() => selectGuests({ guests: [{ rsvpId: A, guestId: 0 }] })) as ValidationError).field).toBe('input.guests[0].guestId');
  });
});

describe('planGuestChange', () => {
  it('sends only guests not yet in the requested state, at most 11 per call, and reports the others', () => {
    const states = Array.from({ length: 11 }, (_, i) => i === 0);
    const plan = planGuestChange(selectGuests({ rsvpId: A }), new Map([[A, rsvp(A, states)]]), 'checkIn');
    expect(plan.results).toHaveLength(11);
    expect(plan.results[0]!.error).toMatchObject({ code: 'FAILED_PRECONDITION', upstreamCode: 'GUEST_ALREADY_CHECKED_IN', status: 0, retryable: false });
    expect(plan.callsByRsvp.get(A)!.map((c) => c.guestIds)).toEqual([[2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]);
  });

  it('splits more than 11 guests of one logical request per RSVP into calls of at most 11', () => {
    const wanted = selectGuests({ guests: [...Array.from({ length: 11 }, (_, i) => ({ rsvpId: A, guestId: i + 1 })), { rsvpId: B, guestId: 1 }] });
    const plan = planGuestChange(wanted, new Map([[A, rsvp(A, Array(11).fill(false))], [B, rsvp(B, [false])]]), 'checkIn');
    expect(plan.callsByRsvp.get(A)!.map((c) => c.guestIds.length)).toEqual([11]);
    expect(plan.callsByRsvp.get(B)!.map((c) => c.guestIds)).toEqual([[1]]);
  });

  it('cancelling a guest who is not checked in is a per-guest GUEST_NOT_CHECKED_IN, not a call', () => {
    const plan = planGuestChange(selectGuests({ rsvpId: A, guestIds: [1] }), new Map([[A, rsvp(A, [false])]]), 'cancelCheckIn');
    expect(plan.results[0]!.error?.upstreamCode).toBe('GUEST_NOT_CHECKED_IN');
    expect(plan.callsByRsvp.size).toBe(0);
  });

  it('refuses an unknown RSVP or guest before anything is planned', () => {
    expect(thrown(() => planGuestChange(selectGuests({ rsvpId: A }), new Map(), 'checkIn'))).toBeInstanceOf(NotFoundError);
    const err = thrown(() => planGuestChange(selectGuests({ rsvpId: A, guestIds: [3] }), new Map([[A, rsvp(A, [false, false])]]), 'checkIn')) as ValidationError;
    expect(err.rule).toBe('NOT_FOUND');
    expect(err.reason).toContain('no guest 3');
  });

  it('re-reads only an RSVP where one call failed after another succeeded', () => {
    const wanted = selectGuests({ guests: [{ rsvpId: A, guestId: 1 }, { rsvpId: B, guestId: 1 }] });
    const plan = planGuestChange(wanted, new Map([[A, rsvp(A, [false])], [B, rsvp(B, [false])]]), 'checkIn');
    // Pretend A's only call failed, B's succeeded: neither is half-applied, so nothing to re-read.
    plan.callsByRsvp.get(B)![0]!.results.forEach((r) => (r.success = true));
    expect(rsvpsToReread(plan)).toEqual([]);
    // Two calls for one RSVP, the second failing after the first applied: that RSVP is re-read.
    const both = { rsvpId: A, guestIds: [1], results: [{ rsvpId: A, guestId: 1, success: true, error: null }] };
    const failed = { rsvpId: A, guestIds: [2], results: [{ rsvpId: A, guestId: 2, success: false, error: null }] };
    expect(rsvpsToReread({ results: [], callsByRsvp: new Map([[A, [both, failed]]]) })).toEqual([A]);
  });
});

describe('planPromotion', () => {
  const event = (limit: number | undefined, yesCount: number, waitlistEnabled = true): WixEvent =>
    ({ registration: { rsvp: { limit, waitlistEnabled } }, summaries: { rsvps: { yesCount } } }) as WixEvent;
  const waiting = (...parties: number[]) => parties.map((totalGuests, i) => ({ id: `w${i}`, totalGuests }) as Rsvp);

  it('promotes oldest first while whole parties fit, and stops at the first that does not', () => {
    const plan = planPromotion(event(10, 6), waiting(2, 3, 1));
    // 4 free: the party of 2 fits, the party of 3 does not, so the later party of 1 waits behind it.
    expect(plan.candidates.map((r) => r.id)).toEqual(['w0']);
    expect(plan.freeSpots).toBe(4);
    expect(spotsLeft(plan, 1)).toBe(2);
  });

  it('promotes everyone when the event has no limit, and reports no free-spot count', () => {
    const plan = planPromotion(event(undefined, 50), waiting(5, 5));
    expect(plan.candidates).toHaveLength(2);
    expect(spotsLeft(plan, 2)).toBeNull();
  });

  it('promotes nobody when the waitlist is off, and counts an overfull event as 0 free', () => {
    expect(planPromotion(event(10, 0, false), waiting(1)).candidates).toEqual([]);
    expect(planPromotion(event(10, 12), waiting(1))).toEqual({ candidates: [], freeSpots: 0 });
  });

  it('counts only the candidates actually promoted when the run stops early', () => {
    const plan = planPromotion(event(10, 0), waiting(2, 3, 4));
    expect(plan.candidates).toHaveLength(3);
    expect(spotsLeft(plan, 1)).toBe(8);
  });
});

describe('bookedParticipants (one rule for a booking\'s participants)', () => {
  it('is totalParticipants, else the sum over serviceChoices, else unknown (null)', async () => {
    const { bookedParticipants } = await import('../src/gateway/schema/analytics.js');
    expect(bookedParticipants({ totalParticipants: 3 } as any)).toBe(3);
    expect(bookedParticipants({ participantsChoices: { serviceChoices: [{ numberOfParticipants: 2 }, { numberOfParticipants: 1 }] } } as any)).toBe(3);
    expect(bookedParticipants({ participantsChoices: { serviceChoices: [] } } as any)).toBeNull();
    expect(bookedParticipants({} as any)).toBeNull();
  });
});
