import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GcpError, isTransient } from '../../src/gcp/errors.js';
import { withRetry } from '../../src/gcp/retry.js';

// The client's retry policy: what is retried (throttling, "try again" server
// errors, dropped connections), what never is (400s, 404, 409, 501...), how
// long it waits (jittered, growing, under a deadline), and what the caller is
// told when it gives up.

const site = { method: 'compute.networks.insert', resource: 'projects/p/global/networks/n' };
const err = (status: number, grpc = '', detail = 'x'): GcpError =>
  new GcpError(site, status, grpc, '', detail);

describe('isTransient', () => {
  const cases: [string, GcpError, boolean][] = [
    ['429 RESOURCE_EXHAUSTED', err(429, 'RESOURCE_EXHAUSTED'), true],
    ['500 INTERNAL', err(500, 'INTERNAL'), true],
    ['502', err(502), true],
    ['503 UNAVAILABLE', err(503, 'UNAVAILABLE'), true],
    ['504', err(504), true],
    ['408', err(408), true],
    ['a reset connection', err(0, 'UNAVAILABLE', 'ECONNRESET'), true],
    [
      'socket hang up',
      err(0, 'UNAVAILABLE', 'request to http://127.0.0.1:1/x failed, reason: socket hang up'),
      true,
    ],
    [
      'a reply slower than the request timeout',
      err(0, 'UNAVAILABLE', 'The operation was aborted.'),
      true,
    ],
    ['400 INVALID_ARGUMENT', err(400, 'INVALID_ARGUMENT'), false],
    [
      '400 FAILED_PRECONDITION naming a permission (propagation: callers decide)',
      err(400, 'FAILED_PRECONDITION', 'permission denied'),
      false,
    ],
    ['403', err(403, 'PERMISSION_DENIED'), false],
    ['404', err(404, 'NOT_FOUND'), false],
    ['409 ALREADY_EXISTS', err(409, 'ALREADY_EXISTS'), false],
    ['409 ABORTED (stale etag: re-read, do not resend)', err(409, 'ABORTED'), false],
    ['412', err(412, 'FAILED_PRECONDITION'), false],
    ['501 UNIMPLEMENTED', err(501, 'UNIMPLEMENTED'), false],
    ['no response, but a bug (bad URL)', err(0, 'UNAVAILABLE', 'ERR_INVALID_URL'), false],
  ];
  for (const [name, e, want] of cases)
    it(`${want ? 'retries' : 'does not retry'} ${name}`, () => assert.equal(isTransient(e), want));
});

describe('withRetry', () => {
  it('retries transient failures until the call succeeds, with growing jittered delays', async () => {
    const failures = [err(503), err(429), err(0, 'UNAVAILABLE', 'ECONNRESET'), err(500)];
    const delays: number[] = [];
    let calls = 0;
    const out = await withRetry(
      async () => {
        calls += 1;
        const f = failures.shift();
        if (f) throw f;
        return 'ok';
      },
      { baseMs: 4, maxDelayMs: 20, deadlineMs: 5000, onRetry: (_e, _a, d) => delays.push(d) },
    );
    assert.equal(out, 'ok');
    assert.equal(calls, 5);
    const caps = [4, 8, 16, 20];
    delays.forEach((d, i) =>
      assert.ok(d >= caps[i] / 2 && d <= caps[i], `delay ${i} = ${d}, cap ${caps[i]}`),
    );
  });

  it('sends a 400 once and hands it back unchanged', async () => {
    let calls = 0;
    const bad = err(400, 'INVALID_ARGUMENT', 'Invalid value for field resource.name');
    await assert.rejects(
      withRetry(
        async () => {
          calls += 1;
          throw bad;
        },
        { baseMs: 1, maxDelayMs: 1, deadlineMs: 5000 },
      ),
      (e) => e === bad,
    );
    assert.equal(calls, 1);
  });

  it('gives up at the deadline, saying what failed and how long it was tried', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls += 1;
          throw err(503, 'UNAVAILABLE', 'The service is currently unavailable.');
        },
        { baseMs: 5, maxDelayMs: 10, deadlineMs: 120 },
      ),
      (e: GcpError) => {
        assert.ok(e instanceof GcpError);
        assert.equal(e.httpStatus, 503);
        assert.match(
          e.message,
          /^compute\.networks\.insert projects\/p\/global\/networks\/n: 503 UNAVAILABLE: The service is currently unavailable\. \(gave up after \d+ attempts in \d+ s\)$/,
        );
        return true;
      },
    );
    assert.ok(calls >= 5, `${calls} attempts in 120 ms`);
  });

  it('lets a caller widen what is retried (IAM propagation)', async () => {
    let calls = 0;
    const out = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw err(403, 'PERMISSION_DENIED');
        return calls;
      },
      { baseMs: 1, maxDelayMs: 2, deadlineMs: 5000, retryable: (e) => e.httpStatus === 403 },
    );
    assert.equal(out, 3);
  });
});
