import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDown, planUp, summarize } from '../../src/plan/plan.js';
import { HANDLERS } from '../../src/resources/index.js';
import type { Observed } from '../../src/resources/types.js';
import { builtState, exampleGraph } from '../helpers/example.js';

describe('planUp', () => {
  const graph = exampleGraph();

  it('creates everything on an empty project, except what the cloud makes itself', () => {
    const plan = planUp(graph, new Map(), HANDLERS);
    const notCreated = graph.filter((d) => !plan.changes.some((c) => c.address === d.address)).map((d) => d.address);
    assert.deepEqual(notCreated.sort(), ['route.default-internet', 'router.swg-autogen']);
    assert.ok(plan.changes.every((c) => c.action === 'create' && c.reason === (c.kind === 'service' ? 'not enabled' : 'does not exist')));
    assert.equal(plan.blockers.length, 0);
  });

  it('plans no change when everything already matches', () => {
    const plan = planUp(graph, builtState(graph), HANDLERS);
    assert.deepEqual(plan.changes, []);
    assert.equal(summarize(plan).unchanged, graph.length);
  });

  it('stops on a resource with our name but without our mark, unless adopting', () => {
    const state = builtState(graph);
    state.set('firewall.egress-deny-all', { ...state.get('firewall.egress-deny-all')!, owned: false });
    const plan = planUp(graph, state, HANDLERS);
    assert.equal(plan.blockers.length, 1);
    assert.equal(plan.blockers[0].address, 'firewall.egress-deny-all');
    assert.match(plan.blockers[0].detail, /--adopt/);
    const adopted = planUp(graph, state, HANDLERS, { adopt: true });
    assert.equal(adopted.blockers.length, 0);
    assert.equal(adopted.changes[0].action, 'update');
  });

  it('reuses a proxy-only subnet someone else made, and never plans to change it', () => {
    const state = builtState(graph);
    state.set('subnetwork.proxy-only', { exists: true, owned: false, foundName: 'projects/p/regions/r/subnetworks/shared',
      actual: { ipCidrRange: '10.99.0.0/23', purpose: 'REGIONAL_MANAGED_PROXY', role: 'ACTIVE' } });
    const plan = planUp(graph, state, HANDLERS);
    assert.deepEqual(plan.changes, []);
    assert.ok(plan.notes.some((n) => n.includes('shared')));
  });

  it('updates a subnet whose Private Google Access was turned off, and replaces one whose range changed', () => {
    const state = builtState(graph);
    const cluster = state.get('subnetwork.cluster')!;
    state.set('subnetwork.cluster', { ...cluster, actual: { ...cluster.actual, privateIpGoogleAccess: false } });
    let plan = planUp(graph, state, HANDLERS);
    assert.equal(plan.changes.length, 1);
    assert.equal(plan.changes[0].action, 'update');
    assert.match(plan.changes[0].reason, /privateIpGoogleAccess: false -> true/);

    state.set('subnetwork.cluster', { ...cluster, actual: { ...cluster.actual, ipCidrRange: '10.20.0.0/24' } });
    plan = planUp(graph, state, HANDLERS);
    assert.equal(plan.changes[0].action, 'replace');
    assert.match(plan.changes[0].reason, /ipCidrRange/);
  });

  it('F17: restores a deleted default internet route, and says why', () => {
    const state = builtState(graph);
    state.set('route.default-internet', { exists: false, owned: false });
    const plan = planUp(graph, state, HANDLERS);
    assert.equal(plan.changes.length, 1);
    assert.equal(plan.changes[0].address, 'route.default-internet');
    assert.match(plan.changes[0].reason, /Dataproc, Private Google Access and the proxy NAT/);
    assert.match(plan.changes[0].reason, /firewall/);
  });

  it('plans a rule update when its matcher drifted', () => {
    const state = builtState(graph);
    const rule = graph.find((d) => d.kind === 'gateway-security-policy-rule')!;
    const o = state.get(rule.address)!;
    state.set(rule.address, { ...o, actual: { ...o.actual, sessionMatcher: "host() == 'evil.example'" } });
    const plan = planUp(graph, state, HANDLERS);
    assert.deepEqual(plan.changes.map((c) => [c.address, c.action]), [[rule.address, 'update']]);
  });
});

describe('planDown', () => {
  const graph = exampleGraph();

  it('deletes owned resources, dependents first, and never disables services', () => {
    const plan = planDown(graph, builtState(graph));
    const order = plan.changes.map((c) => c.address);
    assert.ok(!order.some((a) => a.startsWith('service.')));
    assert.ok(plan.changes.every((c) => c.action === 'delete'));
    for (const d of graph) {
      for (const dep of d.dependsOn) {
        if (order.includes(d.address) && order.includes(dep)) assert.ok(order.indexOf(d.address) < order.indexOf(dep), `${d.address} before ${dep}`);
      }
    }
  });

  it('leaves alone what is not owned: a shared subnet, a found bucket, a router other gateways still use', () => {
    const state = builtState(graph);
    const notOwned = (a: string): void => void state.set(a, { ...state.get(a)!, owned: false } as Observed);
    notOwned('subnetwork.proxy-only');
    notOwned('bucket.proxy-cert');
    notOwned('router.swg-autogen');
    const plan = planDown(graph, state);
    const deleted = new Set(plan.changes.map((c) => c.address));
    for (const a of ['subnetwork.proxy-only', 'bucket.proxy-cert', 'router.swg-autogen']) assert.ok(!deleted.has(a), a);
    assert.ok(deleted.has('object.proxy-ca'), 'the object we wrote still goes');
  });

  it('keeps an owned bucket that holds objects dpgce did not write, unless told to empty it', () => {
    const state = builtState(graph);
    const b = state.get('bucket.staging')!;
    state.set('bucket.staging', { ...b, actual: { ...b.actual, foreignObjects: 2 } });
    assert.ok(!planDown(graph, state).changes.some((c) => c.address === 'bucket.staging'));
    assert.ok(planDown(graph, state, { deleteBucketContents: true }).changes.some((c) => c.address === 'bucket.staging'));
  });

  it('plans nothing when nothing exists', () => {
    assert.deepEqual(planDown(graph, new Map()).changes, []);
  });
});

describe('planDown order', () => {
  it('F19: lists the proxy router after the gateway, and the subnets and network after the router', () => {
    const graph = exampleGraph();
    const order = planDown(graph, builtState(graph)).changes.map((c) => c.address);
    const at = (a: string): number => order.indexOf(a);
    assert.ok(at('router.swg-autogen') > at('gateway.swp'));
    assert.ok(at('network.main') > at('router.swg-autogen'));
  });
});

describe('replacements', () => {
  it('replace what is built on a replaced resource: a new PRIVATE_RANGE moves the gateway too', () => {
    const before = exampleGraph();
    const state = builtState(before);
    const after = exampleGraph({ PRIVATE_RANGE: '10.13.0.0/24', SWP_IP: '10.13.0.250' });
    const plan = planUp(after, state, HANDLERS);
    const action = new Map(plan.changes.map((c) => [c.address, c.action]));
    assert.equal(action.get('subnetwork.private'), 'replace');
    assert.equal(action.get('gateway.swp'), 'replace');
    assert.equal(action.get('subnetwork.cluster'), undefined);
    assert.equal(plan.blockers.length, 0);
  });

  it('replace a zone with its records when SWP_HOSTNAME changes', () => {
    const state = builtState(exampleGraph());
    const plan = planUp(exampleGraph({ SWP_HOSTNAME: 'proxy.example.internal' }), state, HANDLERS);
    const action = new Map(plan.changes.map((c) => [c.address, c.action]));
    assert.equal(action.get('dns-zone.swp'), 'replace');
    assert.equal(action.get('dns-record-set.swp-a'), 'replace');
    assert.equal(action.get('certificate.swp'), 'replace');
    assert.equal(action.get('gateway.swp'), 'replace');
    assert.match(plan.changes.find((c) => c.address === 'gateway.swp')!.reason, /along with certificate\.swp/);
  });

  it('removes dependents before what they are built on, and builds them after', async () => {
    const { applyPlan } = await import('../../src/apply/engine.js');
    const after = exampleGraph({ PRIVATE_RANGE: '10.13.0.0/24', SWP_IP: '10.13.0.250' });
    const plan = planUp(after, builtState(exampleGraph()), HANDLERS);
    const log: string[] = [];
    const handlers = Object.fromEntries(Object.entries(HANDLERS).map(([k, h]) => [k, {
      ...h,
      create: async (_c: unknown, d: any) => void log.push(`create ${d.address}`),
      update: async (_c: unknown, d: any) => void log.push(`update ${d.address}`),
      delete: async (_c: unknown, d: any) => void log.push(`delete ${d.address}`),
      read: async () => ({ exists: true, owned: true }),
    }]));
    const ctx = { observed: new Map(), purpose: 'up' } as any;
    const applied = await applyPlan(ctx, after, plan, handlers as any, () => {});
    assert.ok(applied.every((c) => c.status === 'done'), JSON.stringify(applied.filter((c) => c.status !== 'done')));
    const at = (line: string): number => log.indexOf(line);
    assert.ok(at('delete gateway.swp') < at('delete subnetwork.private'));
    assert.ok(at('create subnetwork.private') < at('create gateway.swp'));
    assert.ok(at('delete subnetwork.private') < at('create subnetwork.private'));
  });
});

describe('leftovers', () => {
  const graph = exampleGraph();
  const orphan = (owned: boolean) => ({
    address: 'gateway-security-policy-rule.old', kind: 'gateway-security-policy-rule', orphan: true,
    name: `${graph.find((d) => d.kind === 'gateway-security-policy')!.name}/rules/old`,
    dependsOn: ['gateway-security-policy.swp'], parent: 'gateway-security-policy.swp', spec: {},
  });

  it('deletes a rule of ours that env.json no longer names', () => {
    const g = [...graph, orphan(true)];
    const state = builtState(graph);
    state.set('gateway-security-policy-rule.old', { exists: true, owned: true, actual: {} });
    const plan = planUp(g, state, HANDLERS);
    assert.deepEqual(plan.changes.map((c) => [c.address, c.action, c.reason]),
      [['gateway-security-policy-rule.old', 'delete', 'no longer in env.json']]);
  });

  it('stops on a rule dpgce did not write inside its policy', () => {
    const g = [...graph, orphan(false)];
    const state = builtState(graph);
    state.set('gateway-security-policy-rule.old', { exists: true, owned: false,
      actual: { basicProfile: 'ALLOW', priority: 1, sessionMatcher: 'true' } });
    const plan = planUp(g, state, HANDLERS);
    assert.equal(plan.blockers.length, 1);
    assert.match(plan.blockers[0].summary, /ALLOW at priority 1: true/);
  });
});
