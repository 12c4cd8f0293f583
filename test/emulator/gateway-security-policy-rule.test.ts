import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emulator, P, type Http } from './lro-client.js';

// The emulator refuses bad gateway security policy rules the way the service
// refuses bad config (gcp-api-facts §18.2): 400 INVALID_ARGUMENT "Config
// validation failed" with a google.rpc.BadRequest field violation for a
// matcher that is not valid CEL, and 400 INVALID_ARGUMENT for
// tlsInspectionEnabled on a policy that references no TLS inspection policy.

const GSP = `/v1/${P}/gatewaySecurityPolicies`;
const RULE = {
  priority: 10,
  enabled: true,
  basicProfile: 'ALLOW',
  sessionMatcher: "host() == 'a.example.com'",
};

describe('gateway security policy rule validation', () => {
  let h: Http;
  before(async () => {
    h = await emulator({ timing: { minPolls: 1 } });
    await h.done('POST', `${GSP}?gatewaySecurityPolicyId=plain`, {
      description: 'no TLS inspection policy',
    });
  });
  after(async () => {
    await h.close();
  });

  for (const [field, body] of [
    ['session_matcher', { ...RULE, sessionMatcher: "host() == 'a.example.com' &&" }],
    ['application_matcher', { ...RULE, applicationMatcher: "request.url().startsWith('x'" }],
    ['session_matcher', { ...RULE, sessionMatcher: "hostname() == 'a.example.com'" }],
  ] as const) {
    it(`refuses invalid CEL in ${field} with Config validation failed and a field violation`, async () => {
      const r = await h.call('POST', `${GSP}/plain/rules?gatewaySecurityPolicyRuleId=broken`, body);
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 400);
      assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
      assert.equal(r.json.error.message, 'Config validation failed');
      assert.equal(r.json.error.details.length, 1);
      const [detail] = r.json.error.details;
      assert.equal(detail['@type'], 'type.googleapis.com/google.rpc.BadRequest');
      assert.equal(detail.fieldViolations.length, 1);
      assert.equal(detail.fieldViolations[0].field, `resource.${field}`);
      assert.match(detail.fieldViolations[0].description, /^invalid CEL expression: /);
      assert.equal(
        (await h.call('GET', `${GSP}/plain/rules/broken`)).status,
        404,
        'nothing was created',
      );
    });
  }

  it('refuses tlsInspectionEnabled on create and on patch when the policy has no TLS inspection policy', async () => {
    const created = await h.call('POST', `${GSP}/plain/rules?gatewaySecurityPolicyRuleId=inspect`, {
      ...RULE,
      tlsInspectionEnabled: true,
    });
    assert.equal(created.status, 400);
    assert.equal(created.json.error.status, 'INVALID_ARGUMENT');
    assert.match(
      created.json.error.message,
      /tls_inspection_enabled can only be true if the parent GatewaySecurityPolicy/,
    );
    await h.done('POST', `${GSP}/plain/rules?gatewaySecurityPolicyRuleId=inspect`, RULE);
    const patched = await h.call(
      'PATCH',
      `${GSP}/plain/rules/inspect?updateMask=tlsInspectionEnabled`,
      { tlsInspectionEnabled: true },
    );
    assert.equal(patched.status, 400);
    assert.match(patched.json.error.message, /tls_inspection_enabled/);
    assert.equal((await h.ok('GET', `${GSP}/plain/rules/inspect`)).tlsInspectionEnabled, undefined);
  });

  it('accepts the matchers dpgce generates for URL paths and sources', async () => {
    await h.done('POST', `/v1/${P}/urlLists?urlListId=dpgce-paths`, {
      values: ['pypi.org/manage/*', 'example.net/exact'],
    });
    const list = `${P}/urlLists/dpgce-paths`;
    await h.done('POST', `${GSP}/plain/rules?gatewaySecurityPolicyRuleId=paths`, {
      ...RULE,
      priority: 20,
      basicProfile: 'DENY',
      sessionMatcher: `inUrlList(host(), '${list}') && (source.matchServiceAccount('etl@p.iam.gserviceaccount.com') || source.matchTag('tagValues/1'))`,
      applicationMatcher: `inUrlList(request.url(), '${list}')`,
    });
  });
});
