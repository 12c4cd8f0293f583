import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  compareDumps,
  describeComparison,
  dumpState,
  ownedBy,
  type Dump,
} from '../../bench/state-dump.js';
import { countRetries } from '../../bench/chaos-run.js';
import { FaultInjector, type FaultRule } from '../../src/emulator/faults.js';
import { startEmulator } from '../../src/emulator/server.js';
import { runCli, workspace } from '../helpers/cli.js';

// The faults that make retries dangerous, one at a time: a reply lost after
// the change was made (the retry meets its own first attempt), an operation
// that ends in a transient error, and a 400 that must not be sent twice.

const TIMING = { latency: { defaultMs: 20, rules: [] }, minPolls: 1 };
let ref: { up: Dump; down: Dump };

before(async () => {
  const e = await startEmulator({ timing: TIMING });
  try {
    const ws = workspace();
    const args = ['--env', ws.env, '--emulator', e.url, '--yes'];
    assert.equal((await runCli(['up', ...args], { cwd: ws.dir })).code, 0);
    const up = dumpState(e.store);
    assert.equal((await runCli(['down', ...args], { cwd: ws.dir })).code, 0);
    ref = { up, down: dumpState(e.store) };
  } finally {
    await e.close();
  }
});

async function upDown(rules: FaultRule[]) {
  const faults = new FaultInjector({ seed: 5, rules });
  const e = await startEmulator({ timing: TIMING, faults });
  try {
    const ws = workspace();
    const args = ['--env', ws.env, '--emulator', e.url, '--yes'];
    const up = await runCli(['up', ...args], { cwd: ws.dir });
    const afterUp = dumpState(e.store);
    const down = await runCli(['down', ...args], { cwd: ws.dir });
    return {
      up,
      down,
      afterUp,
      afterDown: dumpState(e.store),
      owned: ownedBy(e.store, 'dpgce'),
      faults,
      e,
    };
  } finally {
    await e.close();
  }
}

describe('replies lost after the change was made', () => {
  it('a CA pool create whose reply is lost makes one pool, not a second generation', async () => {
    const r = await upDown([
      { api: 'privateca', method: 'POST', path: '/caPools$', nth: 1, fault: 503, after: true },
    ]);
    assert.equal(r.faults.log.length, 1);
    assert.equal(r.up.code, 0, r.up.stderr.slice(-500));
    const c = compareDumps(ref.up, r.afterUp);
    assert.ok(c.equal, describeComparison(c));
  });

  it('half of all creates, updates and deletes lose their reply (reset or 503): up and down still converge', async () => {
    const r = await upDown([
      {
        method: ['POST', 'PUT', 'PATCH', 'DELETE'],
        path: '^(?!.*/(wait|operations/))',
        probability: 0.5,
        fault: ['reset', 503],
        after: true,
      },
    ]);
    assert.ok(r.faults.log.length > 40, `${r.faults.log.length} replies lost`);
    assert.equal(r.up.code, 0, r.up.stderr.slice(-800));
    const up = compareDumps(ref.up, r.afterUp);
    assert.ok(up.equal, `after up: ${describeComparison(up)}`);
    assert.equal(r.down.code, 0, r.down.stderr.slice(-800));
    const down = compareDumps(ref.down, r.afterDown);
    assert.ok(down.equal, `after down: ${describeComparison(down)}`);
    assert.deepEqual(r.owned, []);
  });
});

describe('operations that end in error', () => {
  it('a transient one is tried again as a whole change, and counted as a retry', async () => {
    const r = await upDown([
      {
        api: 'compute',
        method: 'POST',
        path: '/firewalls$',
        nth: [1, 2],
        fault: 'operation-error',
      },
      { api: 'networkservices', method: 'POST', nth: 1, fault: 'operation-error' },
    ]);
    assert.equal(r.faults.log.length, 3);
    assert.equal(r.up.code, 0, r.up.stderr.slice(-500));
    assert.ok(countRetries(r.up.stderr) >= 3);
    const c = compareDumps(ref.up, r.afterUp);
    assert.ok(c.equal, describeComparison(c));
  });
});

describe('a reply slower than the request timeout', () => {
  it('is given up on and asked again', async () => {
    const faults = new FaultInjector({
      rules: [{ api: 'dns', method: 'GET', nth: 1, fault: 'slow', delayMs: 4000 }],
    });
    const e = await startEmulator({ timing: TIMING, faults });
    try {
      const ws = workspace();
      const started = Date.now();
      const r = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes'], {
        cwd: ws.dir,
        env: { DPGCE_REQUEST_TIMEOUT: '0.5', DPGCE_LOG: 'debug' },
      });
      assert.equal(r.code, 0, r.stderr.slice(-500));
      assert.match(
        r.stderr,
        /\[debug\] retry dns\.[a-zA-Z.]+ .*: no response UNAVAILABLE: The operation was aborted/,
      );
      assert.equal(faults.log.length, 1);
      assert.ok(Date.now() - started < 30_000);
    } finally {
      await e.close();
    }
  });
});

describe('a 400', () => {
  it('is sent once, fails only what depends on it, and is reported with method, resource and status', async () => {
    const r = await upDown([
      {
        api: 'compute',
        method: 'POST',
        path: '/firewalls$',
        fault: 400,
        reason: 'invalid',
        message: "Invalid value for field 'resource.priority': '70000'.",
      },
    ]);
    assert.equal(r.up.code, 1);
    const firewallPosts = r.e.requests.filter(
      (q) => q.method === 'POST' && q.path.endsWith('/firewalls'),
    );
    assert.equal(firewallPosts.length, 5, 'one insert per firewall rule, none retried');
    assert.match(
      r.up.stderr,
      /failed: firewall\.egress-proxy: compute\.firewalls\.insert projects\/dpgce-demo-project\/global\/firewalls\/dpgce-egress-proxy: 400 INVALID_ARGUMENT \(invalid\): Invalid value for field 'resource\.priority'/,
    );
    assert.match(
      r.up.stderr,
      /✓ gateway\.swp created/,
      'what does not need the firewall rules is built',
    );
  });
});
