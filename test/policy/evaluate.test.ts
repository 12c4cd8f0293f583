import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BOOT_SCRIPT_DEFAULT_BYPASS } from '../../src/node/metadata.js';
import { bypassOf } from '../../src/policy/bypass.js';
import { evaluate, PolicyEvaluationError, type EvaluatedRule } from '../../src/policy/evaluate.js';
import {
  normalizeTestUrl,
  ruleFromResource,
  testUrl,
  TestInputError,
} from '../../src/policy/simulate.js';

// The evaluation order of the tls-rule-evaluation page, on hand-made rules
// (what --live may read back: any CEL, disabled rules, proto3 defaults).

const rule = (
  name: string,
  priority: number,
  extra: Partial<EvaluatedRule> = {},
): EvaluatedRule => ({
  name,
  priority,
  basicProfile: 'ALLOW',
  enabled: true,
  sessionMatcher: 'true',
  ...extra,
});

describe('evaluate', () => {
  it('lets the lowest priority number decide, whatever the list order', () => {
    const rules = [rule('allow', 20), rule('deny', 10, { basicProfile: 'DENY' })];
    assert.deepEqual(
      [evaluate(rules, 'https://a.example/').verdict, evaluate(rules, 'https://a.example/').rule],
      ['deny', 'deny'],
    );
  });

  it('skips disabled rules and denies when nothing matches', () => {
    const v = evaluate([rule('off', 1, { enabled: false })], 'https://a.example/');
    assert.deepEqual([v.verdict, v.rule], ['deny', undefined]);
  });

  it('needs both matchers; an HTTPS application matcher sees the request only with TLS inspection', () => {
    const app = {
      sessionMatcher: "host() == 'a.example'",
      applicationMatcher: "request.path.startsWith('/ok')",
    };
    const blind = [rule('blind', 1, app), rule('fallback', 2, { basicProfile: 'DENY' })];
    assert.equal(evaluate(blind, 'https://a.example/ok').rule, 'fallback');
    assert.equal(
      evaluate(blind, 'http://a.example/ok').rule,
      'blind',
      'plain HTTP is visible to the proxy',
    );
    const seeing = [rule('seeing', 1, { ...app, tlsInspectionEnabled: true }), rule('fallback', 2)];
    assert.deepEqual(
      [
        evaluate(seeing, 'https://a.example/ok').rule,
        evaluate(seeing, 'https://a.example/ok').tlsInspection,
      ],
      ['seeing', true],
    );
    assert.equal(evaluate(seeing, 'https://a.example/no').rule, 'fallback');
  });

  it('binds the other documented attributes', () => {
    const check = (expr: string, url = 'https://a.example:8443/p?q=1') =>
      evaluate([rule('r', 1, { sessionMatcher: expr })], url, new Map(), { ip: '10.10.0.7' })
        .verdict;
    assert.equal(check("inIpRange(source.ip, '10.10.0.0/24')"), 'allow');
    assert.equal(check("inIpRange(source.ip, '10.11.0.0/24')"), 'deny');
    assert.equal(check('destination.port == 8443'), 'allow');
    assert.equal(check('destination.port == 443', 'https://a.example/'), 'allow');
    const app = (expr: string) =>
      evaluate(
        [rule('r', 1, { applicationMatcher: expr, tlsInspectionEnabled: true })],
        'https://a.example/p?q=1',
      ).verdict;
    assert.equal(
      app("request.method == 'GET' && request.query == 'q=1' && request.scheme == 'https'"),
      'allow',
    );
    assert.equal(app("request.url() == 'https://a.example/p?q=1'"), 'allow');
    assert.equal(app("request.headers['host'] == 'a.example'"), 'allow');
  });

  it('names the rule and the matcher when an expression cannot be evaluated', () => {
    assert.throws(
      () =>
        evaluate([rule('bad', 1, { sessionMatcher: "request.path == '/'" })], 'https://a.example/'),
      (e: unknown) =>
        e instanceof PolicyEvaluationError && /rule bad: sessionMatcher/.test(e.message),
    );
    assert.throws(
      () =>
        evaluate([rule('list', 1, { sessionMatcher: "inUrlList(host(), 'nope')" })], 'https://a/'),
      /URL list nope is not known/,
    );
  });
});

describe('policy test', () => {
  it('reports every fixed bypass entry of the boot script as BYPASS, before any rule', () => {
    const hosts: Record<string, string> = {
      '.internal': 'vm.c.p.internal',
      '.googleapis.com': 'storage.googleapis.com',
      '::1': '[::1]',
    };
    for (const entry of BOOT_SCRIPT_DEFAULT_BYPASS) {
      const host = hosts[entry] ?? entry;
      const r = testUrl(
        { origin: 't', rules: [rule('all', 1)], lists: new Map() },
        `https://${host}/`,
      );
      assert.deepEqual([r.verdict, r.rule], ['bypass', null], host);
    }
    assert.equal(bypassOf('googleapis.com.evil.example'), undefined);
    assert.equal(bypassOf('notinternal'), undefined);
  });

  it('reads proto3 rules: absent priority, enabled and tlsInspectionEnabled are 0 and false', () => {
    assert.deepEqual(
      ruleFromResource({
        name: 'projects/p/locations/l/gatewaySecurityPolicies/g/rules/r',
        basicProfile: 'ALLOW',
        sessionMatcher: 'true',
      }),
      {
        name: 'r',
        priority: 0,
        basicProfile: 'ALLOW',
        enabled: false,
        sessionMatcher: 'true',
        applicationMatcher: undefined,
        tlsInspectionEnabled: false,
      },
    );
  });

  it('takes a bare host as https and refuses what is not an http(s) URL', () => {
    assert.equal(normalizeTestUrl('example.org'), 'https://example.org/');
    assert.equal(normalizeTestUrl('http://example.org/a'), 'http://example.org/a');
    for (const bad of ['ftp://example.org/', 'https://', 'exa mple.org']) {
      assert.throws(() => normalizeTestUrl(bad), TestInputError, bad);
    }
  });
});
