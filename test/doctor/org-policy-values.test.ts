import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coversRegion, coversSubnetwork, enforced, evaluateList } from '../../src/doctor/org-policy-values.js';

// The evaluation of effective list and boolean policies, and the value forms
// it decides exactly (or refuses to decide).

const SUBNET = 'projects/p/regions/us-central1/subnetworks/proxy-only';

describe('evaluateList', () => {
  const region = coversRegion('us-central1');
  const cases: [string, any[], boolean | undefined, RegExp][] = [
    ['no rules: the default', [], true, /constraint default/],
    ['denyAll', [{ denyAll: true }], false, /denyAll/],
    ['allowAll', [{ allowAll: true }], true, /allowAll/],
    ['the region allowed', [{ values: { allowedValues: ['in:us-central1-locations'] } }], true, /allowed value/],
    ['a plain region value', [{ values: { allowedValues: ['us-central1'] } }], true, /allowed value us-central1/],
    ['another region only', [{ values: { allowedValues: ['in:us-east1-locations', 'us-west1'] } }], false, /not among/],
    ['a zone of it only', [{ values: { allowedValues: ['us-central1-a'] } }], false, /not among/],
    ['a multi-region only', [{ values: { allowedValues: ['us', 'global'] } }], false, /not among/],
    ['the continent group', [{ values: { allowedValues: ['in:europe-locations', 'in:us-locations'] } }], true, /in:us-locations/],
    ['another continent', [{ values: { allowedValues: ['in:europe-locations'] } }], false, /not among/],
    ['an unknown group', [{ values: { allowedValues: ['in:eu-locations'] } }], undefined, /in:eu-locations/],
    ['a known allow beats an unknown one', [{ values: { allowedValues: ['in:eu-locations', 'in:us-locations'] } }], true, /in:us-locations/],
    ['denied outright', [{ values: { deniedValues: ['in:us-central1-locations'] } }], false, /denied value/],
    ['denied elsewhere only', [{ values: { deniedValues: ['in:europe-locations'] } }], true, /no allowed-values list/],
    ['a denied unknown group', [{ values: { deniedValues: ['in:eu-locations'] } }, { allowAll: true }], undefined, /denied value/],
    ['a tag condition', [{ allowAll: true }, { denyAll: true, condition: { expression: 'x' } }], undefined, /tag condition/],
    ['is: prefix', [{ values: { allowedValues: ['is:us-central1'] } }], true, /is:us-central1/],
  ];
  for (const [what, rules, allowed, by] of cases) {
    it(`decides ${what}`, () => {
      const v = evaluateList(rules, region);
      assert.equal(v.allowed, allowed);
      assert.match(v.by, by);
    });
  }
});

describe('coversSubnetwork', () => {
  const covers = coversSubnetwork(SUBNET, 'p', '123');
  it('matches the subnetwork by id or number and the project subtree', () => {
    assert.equal(covers(SUBNET), true);
    assert.equal(covers('projects/123/regions/us-central1/subnetworks/proxy-only'), true);
    assert.equal(covers('under:projects/p'), true);
    assert.equal(covers('under:projects/123'), true);
  });
  it('rejects other subnetworks and projects, and leaves folders undecided', () => {
    assert.equal(covers('projects/p/regions/us-central1/subnetworks/other'), false);
    assert.equal(covers('projects/p/regions/us-east1/subnetworks/proxy-only'), false);
    assert.equal(covers('under:projects/q'), false);
    assert.equal(covers('under:folders/1'), undefined);
    assert.equal(covers('under:organizations/1'), undefined);
  });
});

describe('enforced', () => {
  it('reads the unconditional rule of a boolean policy', () => {
    assert.equal(enforced([]), false);
    assert.equal(enforced([{ enforce: true }]), true);
    assert.equal(enforced([{ enforce: false, condition: { expression: 'x' } }, { enforce: true }]), true);
  });
});
