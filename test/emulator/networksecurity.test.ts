import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { emulator, grant, P, poolWithRoot, type Http } from './lro-client.js';

// Network Security: URL lists as recorded in ../shared/reference/
// gcp-recordings/networksecurity-urllist; policies, rules and TLS inspection
// policies per gcp-api-facts §4 and §18.2.

const TYPE = 'type.googleapis.com/google.cloud.networksecurity.v1.';
const GSP = `/v1/${P}/gatewaySecurityPolicies`;
const agent = (projectNumber: string): string =>
  `serviceAccount:service-${projectNumber}@gcp-sa-networksecurity.iam.gserviceaccount.com`;

describe('networksecurity emulator', () => {
  let h: Http;
  before(async () => {
    h = await emulator({ timing: { latency: { defaultMs: 0, rules: [{ collection: 'iamPolicy', ms: 300 }] }, minPolls: 1 } });
  });
  after(async () => { await h.close(); });

  it('creates a URL list with the recorded operation and response shapes', async () => {
    const op = await h.ok('POST', `/v1/${P}/urlLists?urlListId=urllist-min`, { values: ['google.com'] });
    assert.deepEqual(Object.keys(op).sort(), ['metadata', 'name']);
    assert.equal(op.metadata['@type'], `${TYPE}OperationMetadata`);
    assert.equal(op.metadata.apiVersion, 'v1');
    assert.equal((await h.ok('GET', `/v1/${op.name}`)).done, undefined);
    const done = await h.wait(op);
    assert.deepEqual(Object.keys(done.response).sort(), ['@type', 'createTime', 'name', 'updateTime', 'values']);
    assert.equal(done.response['@type'], `${TYPE}UrlList`);
    const got = await h.ok('GET', `/v1/${P}/urlLists/urllist-min`);
    assert.deepEqual(got.values, ['google.com']);
    const gone = await h.done('DELETE', `/v1/${P}/urlLists/urllist-min`);
    assert.deepEqual(gone.response, { '@type': 'type.googleapis.com/google.protobuf.Empty' });
    const missing = await h.call('GET', `/v1/${P}/urlLists/urllist-min`);
    assert.deepEqual(missing.json.error, { code: 404, status: 'NOT_FOUND',
      message: `Resource '${P}/urlLists/urllist-min' was not found` });
  });

  it('refuses URL list entries outside the URL list syntax', async () => {
    for (const bad of [[], ['localhost'], ['exa*mple.com'], ['two words.com']]) {
      const r = await h.call('POST', `/v1/${P}/urlLists?urlListId=bad`, { values: bad });
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
    await h.done('POST', `/v1/${P}/urlLists?urlListId=pypi`, { values: ['pypi.org', '*.pythonhosted.org', 'github.com/org/*'] });
  });

  it('creates a policy and lists its rules, not echoing proto3 defaults', async () => {
    await h.done('POST', `${GSP}?gatewaySecurityPolicyId=swp`, { description: 'egress' });
    await h.done('POST', `${GSP}/swp/rules?gatewaySecurityPolicyRuleId=pypi`, {
      priority: 0, enabled: true, basicProfile: 'ALLOW',
      sessionMatcher: `inUrlList(host(), '${P}/urlLists/pypi')` });
    const off = await h.done('POST', `${GSP}/swp/rules?gatewaySecurityPolicyRuleId=github-2`, {
      priority: 10, enabled: false, basicProfile: 'DENY',
      sessionMatcher: "host().endsWith('github.com') && source.matchServiceAccount('sa@p.iam.gserviceaccount.com')",
      applicationMatcher: "request.method == 'POST' && request.path.contains('/upload')" });
    assert.equal(off.response['@type'], `${TYPE}GatewaySecurityPolicyRule`);
    assert.equal(off.response.enabled, undefined);
    const list = await h.all(`${GSP}/swp/rules`, 'gatewaySecurityPolicyRules');
    assert.deepEqual(list.items.map((x: any) => [x.name.split('/').pop(), x.priority]).sort(),
      [['github-2', 10], ['pypi', undefined]]);
  });

  it('refuses tlsInspectionEnabled on a policy without a TLS inspection policy', async () => {
    const r = await h.call('POST', `${GSP}/swp/rules?gatewaySecurityPolicyRuleId=inspect`, {
      priority: 20, enabled: true, basicProfile: 'ALLOW', sessionMatcher: 'true', tlsInspectionEnabled: true });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /tls_inspection_enabled/);
  });

  it('refuses malformed matchers with a BadRequest detail, and a duplicate priority', async () => {
    const bad = ["host() == 'a.com' && (", "host() == 'a.com", 'hots() == 1', "request.bogus == 'x'", '&& true', ''];
    for (const sessionMatcher of bad) {
      const r = await h.call('POST', `${GSP}/swp/rules?gatewaySecurityPolicyRuleId=broken`, {
        priority: 30, enabled: true, basicProfile: 'ALLOW', sessionMatcher });
      assert.equal(r.status, 400, sessionMatcher);
      assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
    }
    const detail = await h.call('POST', `${GSP}/swp/rules?gatewaySecurityPolicyRuleId=broken`, {
      priority: 30, enabled: true, basicProfile: 'ALLOW', sessionMatcher: "inIpRange(source.ip, '10.0.0.0/8'" });
    assert.equal(detail.json.error.details[0]['@type'], 'type.googleapis.com/google.rpc.BadRequest');
    assert.equal(detail.json.error.details[0].fieldViolations[0].field, 'resource.session_matcher');
    const dup = await h.call('POST', `${GSP}/swp/rules?gatewaySecurityPolicyRuleId=dupe`, {
      priority: 10, enabled: true, basicProfile: 'ALLOW', sessionMatcher: 'true' });
    assert.equal(dup.status, 400);
    assert.match(dup.json.error.message, /Priority 10/);
  });

  it('refuses a TLS inspection policy until the service agent role on the pool has propagated', async () => {
    await poolWithRoot(h, 'tls', 'root');
    const body = { caPool: `${P}/caPools/tls`, excludePublicCaSet: false };
    const denied = await h.call('POST', `/v1/${P}/tlsInspectionPolicies?tlsInspectionPolicyId=tls`, body);
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.status, 'PERMISSION_DENIED');
    const m = /Permission 'privateca\.certificates\.create' denied on 'projects\/(\d+)\//.exec(denied.json.error.message);
    assert.ok(m, denied.json.error.message);
    const number = m[1];
    assert.match(denied.json.error.message, new RegExp(`service-${number}@gcp-sa-networksecurity`));

    await grant(h, 'tls', agent(number), 'roles/privateca.certificateRequester');
    const wrongRole = await h.call('POST', `/v1/${P}/tlsInspectionPolicies?tlsInspectionPolicyId=tls`, body);
    await sleep(350);
    assert.equal(wrongRole.status, 403, 'certificateRequester is not the role TLS inspection needs');
    assert.equal((await h.call('POST', `/v1/${P}/tlsInspectionPolicies?tlsInspectionPolicyId=tls`, body)).status, 403);
    await grant(h, 'tls', agent(number), 'roles/privateca.certificateManager');
    const early = await h.call('POST', `/v1/${P}/tlsInspectionPolicies?tlsInspectionPolicyId=tls`, body);
    assert.equal(early.status, 403, 'the grant has not propagated yet');
    await sleep(350);
    const done = await h.done('POST', `/v1/${P}/tlsInspectionPolicies?tlsInspectionPolicyId=tls`, body);
    assert.equal(done.response['@type'], `${TYPE}TlsInspectionPolicy`);
    assert.equal(done.response.caPool, `${P}/caPools/tls`);
    assert.equal(done.response.excludePublicCaSet, undefined);
  });

  it('accepts tlsInspectionEnabled once the policy references the TLS inspection policy', async () => {
    await h.done('PATCH', `${GSP}/swp?updateMask=tlsInspectionPolicy`, { tlsInspectionPolicy: `${P}/tlsInspectionPolicies/tls` });
    const rule = await h.done('POST', `${GSP}/swp/rules?gatewaySecurityPolicyRuleId=inspect`, {
      priority: 20, enabled: true, basicProfile: 'ALLOW', sessionMatcher: 'true', tlsInspectionEnabled: true,
      applicationMatcher: "request.url().startsWith('https://pypi.org/')" });
    assert.equal(rule.response.tlsInspectionEnabled, true);
    const unlink = await h.call('PATCH', `${GSP}/swp?updateMask=tlsInspectionPolicy`, {});
    assert.equal(unlink.status, 400);
    const inUse = await h.call('DELETE', `/v1/${P}/tlsInspectionPolicies/tls`);
    assert.equal(inUse.status, 400);
  });

  it('refuses to delete a policy that still has rules', async () => {
    const refused = await h.call('DELETE', `${GSP}/swp`);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.status, 'FAILED_PRECONDITION');
    for (const rule of ['pypi', 'github-2', 'inspect']) await h.done('DELETE', `${GSP}/swp/rules/${rule}`);
    await h.done('DELETE', `${GSP}/swp`);
    assert.equal((await h.call('GET', `${GSP}/swp`)).status, 404);
  });
});
