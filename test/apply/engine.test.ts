import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPlan } from '../../src/apply/engine.js';
import { planDown, planUp } from '../../src/plan/plan.js';
import type { Desired, ResourceHandler, RunContext } from '../../src/resources/types.js';
import { builtState, exampleGraph } from '../helpers/example.js';

// The engine with recording handlers: each create/delete takes a fixed time
// and logs when it started and ended, so ordering and parallelism can be
// asserted without any API.

interface Span { address: string; verb: string; start: number; end: number }

function recordingHandlers(graph: Desired[], ms: number, fail = new Set<string>()) {
  const spans: Span[] = [];
  const t0 = Date.now();
  const act = (verb: string) => async (_ctx: RunContext, d: Desired) => {
    const start = Date.now() - t0;
    await new Promise((r) => setTimeout(r, ms));
    spans.push({ address: d.address, verb, start, end: Date.now() - t0 });
    if (fail.has(d.address)) throw new Error(`injected failure of ${d.address}`);
  };
  const handlers: Record<string, ResourceHandler> = {};
  for (const kind of new Set(graph.map((d) => d.kind))) {
    handlers[kind] = {
      kind, diff: () => [], create: act('create'), delete: act('delete'),
      read: async () => ({ exists: true, owned: true }),
    };
  }
  return { handlers, spans };
}

const ctx = (): RunContext => ({ observed: new Map(), purpose: 'up' } as unknown as RunContext);

describe('apply engine', () => {
  const graph = exampleGraph();

  it('runs independent branches in parallel: makespan is the longest chain, not the sum', async () => {
    const plan = planUp(graph, new Map(), {} as never);
    const { handlers, spans } = recordingHandlers(graph, 20);
    const started = Date.now();
    const applied = await applyPlan(ctx(), graph, plan, handlers, () => {});
    const took = Date.now() - started;
    assert.ok(applied.every((c) => c.status === 'done'));
    assert.equal(spans.length, plan.changes.length);
    assert.ok(took < plan.changes.length * 20 / 2, `took ${took}ms for ${plan.changes.length} changes`);
    // Each change started only after the changes it depends on ended.
    const end = new Map(spans.map((s) => [s.address, s.end]));
    for (const s of spans) {
      for (const dep of graph.find((d) => d.address === s.address)!.dependsOn) {
        if (end.has(dep)) assert.ok(s.start >= end.get(dep)!, `${s.address} started before ${dep} ended`);
      }
    }
  });

  it('skips what depends on a failed change and still finishes the rest', async () => {
    const plan = planUp(graph, new Map(), {} as never);
    const { handlers } = recordingHandlers(graph, 1, new Set(['ca-pool.swp']));
    const applied = await applyPlan(ctx(), graph, plan, handlers, () => {});
    const status = new Map(applied.map((c) => [c.address, c.status]));
    assert.equal(status.get('ca-pool.swp'), 'failed');
    assert.equal(status.get('certificate-authority.root'), 'skipped');
    assert.equal(status.get('gateway.swp'), 'skipped');
    assert.equal(status.get('network.main'), 'done');
    assert.equal(status.get('bucket.staging'), 'done');
  });

  it('F19: deletes the proxy router only after the gateway is gone, then the network', async () => {
    const plan = planDown(graph, builtState(graph));
    const { handlers, spans } = recordingHandlers(graph, 5);
    await applyPlan(ctx(), graph, plan, handlers, () => {});
    const span = (a: string) => spans.find((s) => s.address === a)!;
    assert.ok(span('router.swg-autogen').start >= span('gateway.swp').end);
    assert.ok(span('network.main').start >= span('router.swg-autogen').end);
    for (const sub of ['subnetwork.private', 'subnetwork.proxy-only']) {
      assert.ok(span(sub).start >= span('gateway.swp').end, sub);
      assert.ok(span('network.main').start >= span(sub).end, sub);
    }
  });

  it('starts nothing new once asked to stop', async () => {
    const plan = planUp(graph, new Map(), {} as never);
    const { handlers } = recordingHandlers(graph, 5);
    let calls = 0;
    const applied = await applyPlan(ctx(), graph, plan, handlers, () => {}, { shouldStop: () => ++calls > 3 });
    assert.ok(applied.some((c) => c.status === 'skipped'));
    assert.ok(applied.filter((c) => c.status === 'done').length < plan.changes.length);
  });
});
