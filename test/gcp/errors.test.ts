import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTransient, toGcpError } from '../../src/gcp/errors.js';

// How a failed call reads: Google's error body when there is one, otherwise
// what happened on the way, and advice where the cause is on the user's side.

const SITE = { method: 'compute.networks.get', resource: 'projects/p/global/networks/n' };

describe('toGcpError', () => {
  it("keeps Google's status, reason and message from the error body", () => {
    const e = toGcpError({ response: { status: 404, data: { error: { status: 'NOT_FOUND', message: 'gone',
      errors: [{ reason: 'notFound' }] } } } }, SITE);
    assert.equal(e.message, 'compute.networks.get projects/p/global/networks/n: 404 NOT_FOUND (notFound): gone');
    assert.ok(e.notFound);
  });

  it('reads without a double space when the body has a reason but no status name (Storage, Compute)', () => {
    const e = toGcpError({ response: { status: 404, data: { error: { message: 'No such object', errors: [{ reason: 'notFound' }] } } } }, SITE);
    assert.equal(e.message, 'compute.networks.get projects/p/global/networks/n: 404 (notFound): No such object');
  });

  it('turns missing Application Default Credentials into what to run, not retried', () => {
    const e = toGcpError(new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.'), SITE);
    assert.equal(e.status, 'UNAUTHENTICATED');
    assert.match(e.message, /gcloud auth application-default login.*--local/);
    assert.equal(isTransient(e), false);
  });

  it('keeps a network failure retryable', () => {
    const e = toGcpError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), SITE);
    assert.equal(e.httpStatus, 0);
    assert.equal(isTransient(e), true);
  });
});
