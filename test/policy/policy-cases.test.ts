import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { celProblem } from '../../src/emulator/apis/networksecurity-cel.js';
import { urlListProblem } from '../../src/emulator/apis/url-list.js';
import { policyFromGraph, testUrl } from '../../src/policy/simulate.js';
import { exampleGraph } from '../helpers/example.js';
import { CASE_ENV, CASES } from './policy-cases.js';

// The URL x rule table on the generator: the rules and URL lists env.json
// produces (the desired graph `up` creates from), evaluated by the simulator.
// The emulator's own checks stand in for the service accepting them.

const graph = exampleGraph(CASE_ENV);
const policy = policyFromGraph(graph);
const rules = graph.filter((d) => d.kind === 'gateway-security-policy-rule');

describe('policy cases on the generated policy', () => {
  it('has at least 40 cases', () => {
    assert.ok(CASES.length >= 40, `${CASES.length} cases`);
  });

  for (const k of CASES) {
    const from = k.source ? ` from ${JSON.stringify(k.source)}` : '';
    it(`${k.verdict.toUpperCase()} ${k.url}${from}${k.rule ? ` by ${k.rule}` : ''}`, () => {
      const r = testUrl(policy, k.url, k.source);
      assert.deepEqual(
        [r.verdict, r.rule, r.tlsInspection],
        [k.verdict, k.rule ? `gateway-security-policy-rule.${k.rule}` : null, k.tls ?? false],
        r.reason,
      );
    });
  }
});

describe('generated rules', () => {
  it('are CEL the service accepts, on URL lists it accepts', () => {
    for (const d of rules) {
      assert.equal(
        celProblem(d.spec.sessionMatcher),
        undefined,
        `${d.address} ${d.spec.sessionMatcher}`,
      );
      if (d.spec.applicationMatcher)
        assert.equal(celProblem(d.spec.applicationMatcher), undefined, d.address);
    }
    for (const d of graph.filter((x) => x.kind === 'url-list')) {
      for (const v of d.spec.values)
        assert.equal(urlListProblem(v), undefined, `${d.address}: ${v}`);
    }
  });

  it('take unique priorities: env.json rules by position or their own, then presets, then allowed-hosts', () => {
    const priority = (n: string) =>
      rules.find((d) => d.address === `gateway-security-policy-rule.${n}`)!.spec.priority;
    assert.deepEqual(
      ['deny-pypi-manage', 'deny-keyserver', 'deny-corp', 'allow-mirror', 'late-deny'].map(
        priority,
      ),
      [100, 110, 130, 50, 5000],
    );
    assert.deepEqual(
      ['debian', 'nvidia-cuda', 'google-packages', 'allowed-hosts'].map(priority),
      [1000, 1010, 1040, 1050],
    );
    const all = rules.map((d) => d.spec.priority);
    assert.equal(new Set(all).size, all.length);
  });

  it('match URL paths in the application matcher only where TLS is inspected', () => {
    for (const d of rules) {
      if (!d.spec.applicationMatcher) continue;
      assert.equal(d.spec.tlsInspectionEnabled, true, d.address);
      assert.match(
        d.spec.applicationMatcher,
        /^inUrlList\(request\.url\(\), 'projects\/dpgce-demo-project\/locations\/us-central1\/urlLists\/dpgce-/,
      );
    }
    const manage = rules.find((d) => d.address.endsWith('.deny-pypi-manage'))!;
    assert.equal(manage.spec.basicProfile, 'DENY');
    assert.match(manage.spec.sessionMatcher, /^inUrlList\(host\(\), /);
  });

  it('restrict sources with source.matchServiceAccount and source.matchTag', () => {
    const spec = (n: string) => rules.find((d) => d.address.endsWith(`.${n}`))!.spec;
    assert.equal(
      spec('internal-artifacts').sessionMatcher,
      "host() == 'artifacts.corp.example' && source.matchServiceAccount('etl@dpgce-demo-project.iam.gserviceaccount.com')",
    );
    assert.equal(spec('internal-artifacts').tlsInspectionEnabled, false);
    assert.equal(
      spec('tagged-github').sessionMatcher,
      "(host() == 'codeload.github.com' || host() == 'github.com') && source.matchTag('tagValues/281474976710656')",
    );
  });

  it('are created one at a time, each after the one before it', () => {
    rules.slice(1).forEach((d, i) => assert.ok(d.dependsOn.includes(rules[i].address), d.address));
  });
});
