// REGION and ZONE outside Google's published list: warnings (regions open
// every year), with the nearest known name when one is close, so that a typo
// is seen before `up`.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, loadWith, warnings } from './env-fixture.js';

describe('REGION and ZONE against the known regions', () => {
  it('says "did you mean" for a region one letter off, without blocking', () => {
    const r = loadWith({ REGION: 'us-centrall1', ZONE: 'us-centrall1-a' });
    assert.deepEqual(errors(r), []);
    const [w] = warnings(r);
    assert.equal(w.key, 'REGION');
    assert.match(w.summary, /^REGION "us-centrall1" is not a Compute Engine region dpgce knows$/);
    assert.match(w.detail, /Did you mean "us-central1"\?/);
  });

  it('warns without a guess for a region far from every known one', () => {
    const [w] = warnings(loadWith({ REGION: 'mars-north1', ZONE: 'mars-north1-a' }));
    assert.equal(w.key, 'REGION');
    assert.doesNotMatch(w.detail, /Did you mean/);
  });

  it('lists the zones of a known region for a zone letter it does not have', () => {
    const [w] = warnings(loadWith({ ZONE: 'us-central1-e' }));
    assert.equal(w.key, 'ZONE');
    assert.match(w.detail, /us-central1-a, us-central1-b, us-central1-c, us-central1-f/);
  });

  it('is silent for a known region and zone', () => {
    assert.deepEqual(warnings(loadWith({ REGION: 'europe-west1', ZONE: 'europe-west1-b' })), []);
  });
});
