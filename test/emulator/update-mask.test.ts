import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emulator, P, poolWithRoot, type Http } from './lro-client.js';

// updateMask as Google reads it, over raw REST. `*` is AIP-134's full
// replacement: every updatable field takes the body's value, a field the
// body leaves out is cleared, output-only fields are ignored and immutable
// ones must be unchanged or left out (gcloud's `rules import` always sends
// `*`: command_lib/network_security/hooks.py SetUpdateMask). A path naming
// no field of the resource is 400 INVALID_ARGUMENT (AIP-161), not a 200
// that changes nothing.

const GSP = `/v1/${P}/gatewaySecurityPolicies`;
const RULE = `${GSP}/pol/rules/rule-one`;

describe('updateMask', () => {
  let h: Http;
  before(async () => {
    h = await emulator({ timing: { minPolls: 1 } });
    await h.done('POST', `${GSP}?gatewaySecurityPolicyId=pol`, { description: 'd' });
    await h.done('POST', `${GSP}/pol/rules?gatewaySecurityPolicyRuleId=rule-one`, {
      priority: 10, enabled: true, basicProfile: 'ALLOW', description: 'old',
      sessionMatcher: "host() == 'a.example.com'", applicationMatcher: "request.path.startsWith('/x')",
    });
  });
  after(async () => {
    await h.close();
  });

  it('replaces a rule with the body under updateMask=*, clearing what the body leaves out', async () => {
    const before = await h.ok('GET', RULE);
    await h.done('PATCH', `${RULE}?updateMask=*`, {
      // Output-only fields as `rules export` writes them are ignored.
      name: before.name, createTime: '2000-01-01T00:00:00Z',
      priority: 20, enabled: true, basicProfile: 'DENY', sessionMatcher: "host() == 'b.example.com'",
    });
    const after = await h.ok('GET', RULE);
    assert.equal(after.basicProfile, 'DENY');
    assert.equal(after.priority, 20);
    assert.equal(after.sessionMatcher, "host() == 'b.example.com'");
    assert.equal(after.description, undefined, 'left out under * = cleared');
    assert.equal(after.applicationMatcher, undefined, 'left out under * = cleared');
    assert.equal(after.createTime, before.createTime, 'output-only createTime is not taken from the body');
  });

  it('refuses a mask path that names no field, changing nothing', async () => {
    const before = await h.ok('GET', RULE);
    for (const mask of ['basic_profil', 'basicProfile,nonsense', 'sessionMatcher.inner']) {
      const r = await h.call('PATCH', `${RULE}?updateMask=${mask}`, { basicProfile: 'ALLOW' });
      assert.equal(r.status, 400, `${mask}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
      assert.match(r.json.error.message,
        /^Invalid field mask path '[^']+': no such field in GatewaySecurityPolicyRule\.$/);
    }
    assert.deepEqual(await h.ok('GET', RULE), before);
  });

  it('takes snake_case paths', async () => {
    await h.done('PATCH', `${RULE}?updateMask=basic_profile`, { basicProfile: 'ALLOW' });
    assert.equal((await h.ok('GET', RULE)).basicProfile, 'ALLOW');
  });

  it('replaces a gateway security policy under *, clearing its description', async () => {
    await h.done('PATCH', `${GSP}/pol?updateMask=*`, {});
    assert.equal((await h.ok('GET', `${GSP}/pol`)).description, undefined);
  });

  it('replaces the labels of a CA pool under *, keeping the immutable tier when left out', async () => {
    await poolWithRoot(h, 'mpool', 'mroot');
    const pool = `/v1/${P}/caPools/mpool`;
    await h.done('PATCH', `${pool}?updateMask=labels`, { labels: { a: 'b' } });
    await h.done('PATCH', `${pool}?updateMask=*`, { publishingOptions: { publishCaCert: true } });
    const after = await h.ok('GET', pool);
    assert.equal(after.labels, undefined);
    assert.equal(after.tier, 'DEVOPS');
    const changed = await h.call('PATCH', `${pool}?updateMask=*`, { tier: 'ENTERPRISE' });
    assert.equal(changed.status, 400);
    assert.equal(changed.json.error.message, "Field 'tier' is immutable.");
  });

  it('replaces a secret\'s labels under *, and refuses an unknown path', async () => {
    const secret = '/v1/projects/p/secrets/s1';
    await h.ok('POST', '/v1/projects/p/secrets?secretId=s1', { replication: { automatic: {} }, labels: { a: 'b' } });
    await h.ok('PATCH', `${secret}?updateMask=*`, { annotations: { k: 'v' } });
    const after = await h.ok('GET', secret);
    assert.equal(after.labels, undefined);
    assert.deepEqual(after.annotations, { k: 'v' });
    const bad = await h.call('PATCH', `${secret}?updateMask=labelz`, {});
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.status, 'INVALID_ARGUMENT');
  });

  it('overwrites an org policy under *, dry-run spec included', async () => {
    const policy = '/v2/projects/p/policies/compute.vmExternalIpAccess';
    await h.ok('POST', '/v2/projects/p/policies', {
      name: 'projects/p/policies/compute.vmExternalIpAccess',
      spec: { rules: [{ denyAll: true }] }, dryRunSpec: { rules: [{ denyAll: true }] },
    });
    await h.ok('PATCH', `${policy}?updateMask=*`, { spec: { rules: [{ allowAll: true }] } });
    const after = await h.ok('GET', policy);
    assert.deepEqual(after.spec.rules, [{ allowAll: true }]);
    assert.equal(after.dryRunSpec, undefined);
    const bad = await h.call('PATCH', `${policy}?updateMask=spec.nonsense`, { spec: {} });
    assert.equal(bad.status, 400);
  });
});
