/**
 * Injected upstream faults: what the sandbox server will do to the next request on a route (or on every route),
 * and the validation of the POST /__sandbox/faults body.
 */
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../src/sandbox/errors.js';
import { createFaults, parseFaultRules } from '../src/sandbox/faults.js';

const QUERY = 'POST /events/v2/rsvps/query';
const GET = 'GET /events/v2/rsvps/{rsvpId}';

/** A deterministic "random": cycles through the given values. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('fault decisions', () => {
  it('no rules: no latency, no error, no drop', () => {
    expect(createFaults().decide(QUERY)).toEqual({ latencyMs: 0, drop: false });
  });

  it('a route rule hits only its route; a global rule hits every route', () => {
    const faults = createFaults();
    faults.set([{ route: QUERY, status: 503 }]);
    expect(faults.decide(QUERY).error).toEqual({ status: 503 });
    expect(faults.decide(GET).error).toBeUndefined();
    faults.set([{ latencyMs: 40 }]);
    expect(faults.decide(QUERY).latencyMs).toBe(40);
    expect(faults.decide(GET).latencyMs).toBe(40);
  });

  it('latencies add up; the first matching error wins, so a route rule listed first beats a global one', () => {
    const faults = createFaults();
    faults.set([
      { route: QUERY, status: 429, retryAfterSeconds: 3, latencyMs: 10 },
      { status: 500, latencyMs: 5 },
    ]);
    expect(faults.decide(QUERY)).toEqual({ latencyMs: 15, error: { status: 429, retryAfterSeconds: 3 }, drop: false });
    expect(faults.decide(GET)).toEqual({ latencyMs: 5, error: { status: 500 }, drop: false });
  });

  it('drop destroys the request instead of answering', () => {
    const faults = createFaults();
    faults.add({ route: GET, drop: true });
    expect(faults.decide(GET)).toEqual({ latencyMs: 0, drop: true });
    expect(faults.decide(QUERY).drop).toBe(false);
  });

  it('times applies a rule to the next N matching requests only, then it expires from the list', () => {
    const faults = createFaults();
    faults.set([{ route: QUERY, status: 500, times: 2 }, { latencyMs: 1 }]);
    expect(faults.decide(GET).error).toBeUndefined(); // another route does not use one up
    expect(faults.decide(QUERY).error?.status).toBe(500);
    expect(faults.list()[0]).toMatchObject({ times: 1 });
    expect(faults.decide(QUERY).error?.status).toBe(500);
    expect(faults.decide(QUERY).error).toBeUndefined();
    expect(faults.list()).toEqual([{ latencyMs: 1 }]);
  });

  it('rate fires the fault with that probability; a miss does not use up `times`', () => {
    const faults = createFaults(sequence(0.1, 0.9));
    faults.set([{ status: 502, rate: 0.5, times: 2 }]);
    const outcomes = Array.from({ length: 4 }, () => faults.decide(QUERY).error?.status ?? 200);
    expect(outcomes).toEqual([502, 200, 502, 200]);
    expect(faults.list()).toEqual([]);

    // With the real Math.random, 30% of 2,000 requests fail, within a wide margin.
    const real = createFaults();
    real.set([{ status: 503, rate: 0.3 }]);
    let failed = 0;
    for (let i = 0; i < 2000; i++) if (real.decide(QUERY).error) failed++;
    expect(failed).toBeGreaterThan(450);
    expect(failed).toBeLessThan(750);
    real.set([{ status: 503, rate: 0 }]);
    for (let i = 0; i < 100; i++) expect(real.decide(QUERY).error).toBeUndefined();
  });

  it('set replaces, add appends, clear and set([]) remove everything; list is a copy', () => {
    const faults = createFaults();
    faults.set([{ status: 500 }]);
    faults.add({ latencyMs: 5 });
    expect(faults.list()).toEqual([{ status: 500 }, { latencyMs: 5 }]);
    faults.list()[0]!.status = 418;
    expect(faults.list()[0]!.status).toBe(500);
    faults.set([{ drop: true }]);
    expect(faults.list()).toEqual([{ drop: true }]);
    faults.clear();
    expect(faults.decide(QUERY)).toEqual({ latencyMs: 0, drop: false });
    faults.add({ status: 500 });
    faults.set([]);
    expect(faults.list()).toEqual([]);
  });
});

describe('parseFaultRules (POST /__sandbox/faults body)', () => {
  function rejects(body: unknown, field: string, description?: RegExp): void {
    let error: unknown;
    try {
      parseFaultRules(body);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SandboxError);
    const e = error as SandboxError;
    expect(e.status).toBe(400);
    const violation = e.body.details.validationError!.fieldViolations[0]!;
    expect(violation.field).toBe(field);
    if (description) expect(violation.description).toMatch(description);
  }

  it('accepts {rules: [...]} and a single rule', () => {
    expect(parseFaultRules({ rules: [{ route: QUERY, status: 429, retryAfterSeconds: 2, times: 1 }, { latencyMs: 100, rate: 0.5 }] })).toEqual([
      { route: QUERY, status: 429, retryAfterSeconds: 2, times: 1 },
      { latencyMs: 100, rate: 0.5 },
    ]);
    expect(parseFaultRules({ drop: true, route: GET })).toEqual([{ drop: true, route: GET }]);
    expect(parseFaultRules({ rules: [] })).toEqual([]);
  });

  it('names the bad field and what was expected', () => {
    rejects(null, 'body');
    rejects([{ status: 500 }], 'body');
    rejects({ rules: 'all' }, 'rules', /array/);
    rejects({ rules: [{ status: 500 }, 7] }, 'rules[1]');
    rejects({ rules: [{ status: 200 }] }, 'rules[0].status', /400 to 599/);
    rejects({ status: '500' }, 'rule.status');
    rejects({ status: 500, rate: 1.5 }, 'rule.rate', /0 to 1/);
    rejects({ latencyMs: -1 }, 'rule.latencyMs');
    rejects({ status: 500, times: 0 }, 'rule.times', /positive/);
    rejects({ status: 500, drop: 'yes' }, 'rule.drop');
    rejects({ route: '/events/v2/rsvps/query', status: 500 }, 'rule.route', /METHOD \/path/);
    rejects({ retryAfterSeconds: 5, latencyMs: 1 }, 'rule.retryAfterSeconds', /status/);
    rejects({ status: 500, statusCode: 500 }, 'rule.statusCode', /unknown fault field/);
    rejects({ rate: 0.5 }, 'rule', /latencyMs, status or drop/);
  });
});
