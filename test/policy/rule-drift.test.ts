import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planUp } from '../../src/plan/plan.js';
import { HANDLERS } from '../../src/resources/index.js';
import { builtState, exampleGraph } from '../helpers/example.js';
import { CASE_ENV } from './policy-cases.js';

// Drift in a deployed rule is an update in the plan; what the API leaves out
// at its default (proto3: priority 0, false) is not drift.

const graph = exampleGraph(CASE_ENV);
const RULE = 'gateway-security-policy-rule.deny-keyserver';

function planWith(change: (actual: Record<string, any>) => void) {
  const state = builtState(graph);
  change(state.get(RULE)!.actual!);
  return planUp(graph, state, HANDLERS);
}

describe('rule drift', () => {
  for (const [field, value] of [
    ['sessionMatcher', "host() == 'keyserver.ubuntu.com' || true"],
    ['priority', 4444],
    ['basicProfile', 'ALLOW'],
    ['applicationMatcher', "request.path.startsWith('/')"],
    ['tlsInspectionEnabled', false],
    ['enabled', false],
  ] as const) {
    it(`a changed ${field} is an update of that rule alone`, () => {
      const plan = planWith((a) => {
        a[field] = value;
      });
      assert.deepEqual(
        plan.changes.map((c) => [c.address, c.action]),
        [[RULE, 'update']],
      );
      assert.deepEqual(
        plan.changes[0].diffs?.map((d) => d.field),
        [field],
      );
    });
  }

  it('a removed application matcher is drift too', () => {
    const paths = 'gateway-security-policy-rule.deny-pypi-manage';
    const state = builtState(graph);
    delete state.get(paths)!.actual!.applicationMatcher;
    const plan = planUp(graph, state, HANDLERS);
    assert.deepEqual(
      plan.changes.map((c) => [c.address, c.diffs?.map((d) => d.field)]),
      [[paths, ['applicationMatcher']]],
    );
  });

  it('a URL list with other entries is an update of the list', () => {
    const state = builtState(graph);
    state.get('url-list.many-hosts')!.actual!.values = ['a.many.example'];
    assert.deepEqual(
      planUp(graph, state, HANDLERS).changes.map((c) => [c.address, c.action]),
      [['url-list.many-hosts', 'update']],
    );
  });

  it('is not reported for fields the API omits at their default', () => {
    const zero = exampleGraph({
      SWP_POLICY_RULES: [{ name: 'first', action: 'deny', hosts: ['a.example.com'], priority: 0 }],
    });
    const state = builtState(zero);
    const actual = state.get('gateway-security-policy-rule.first')!.actual!;
    delete actual.priority;
    delete actual.applicationMatcher;
    assert.deepEqual(planUp(zero, state, HANDLERS).changes, []);
  });
});
