import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { chaosRun, reference, type Reference } from '../../bench/chaos-run.js';

// A small `npm run chaos`: two seeded up + down runs with 20% of requests
// faulted (errors, resets, slow replies, failed operations, replies lost
// after the change). Each must converge to the fault-free end states.

const SEEDS = [101, 102];

describe('seeded chaos: up then down with 20% of requests faulted', () => {
  let ref: Reference;
  before(async () => {
    ref = await reference();
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: both converge, no duplicate, nothing owned left`, async () => {
      const r = await chaosRun(seed, 0.2, ref);
      assert.deepEqual(r.problems, []);
      assert.ok(r.injected >= 20, `only ${r.injected} faults injected`);
      assert.ok(r.retries > 0, 'faults were retried');
      assert.equal(r.duplicates, 0);
    });
  }
});
