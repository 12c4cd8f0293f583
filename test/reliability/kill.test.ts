import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { killReference, killRun, type KillReference } from '../../bench/kill-run.js';

// A small `npm run chaos:kill`: up and down SIGKILLed at seeded moments
// (through the embedded emulator and through a separate one), then run
// again: the end state is an uninterrupted run's, with no duplicate.

describe('a killed run, run again, ends as an uninterrupted one', () => {
  let ref: KillReference;
  before(async () => {
    ref = await killReference();
  });

  for (const [command, seed] of [
    ['up', 11],
    ['up', 12],
    ['down', 13],
  ] as const) {
    it(`${command} killed (seed ${seed}), then ${command} again`, async () => {
      const r = await killRun(seed, command, ref);
      assert.ok(r.midRun, `killed after ${r.killedAfter} of ${r.total} changes, while it ran`);
      assert.deepEqual(
        r.problems,
        [],
        `killed after ${r.killedAfter} of ${r.total} changes (${r.target})`,
      );
      assert.equal(r.duplicates, 0);
    });
  }
});
