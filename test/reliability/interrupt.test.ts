import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { compareDumps, describeComparison, dumpState, type Dump } from '../../bench/state-dump.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLI, runCli, workspace, type CliResult } from '../helpers/cli.js';

// SIGINT during up: no new change starts, the running ones are waited for
// (up to DPGCE_INTERRUPT_WAIT seconds), and the report says what was done,
// what never started and what was still running. A second up finishes the
// job, with nothing created twice.

const POOL = 'projects/dpgce-demo-project/locations/us-central1/caPools/dpgce-swp-pool';
const slowPool = (ms: number) => ({
  latency: {
    defaultMs: 0,
    rules: [{ api: 'privateca', collection: 'caPools', verb: 'create', ms }],
  },
  minPolls: 1,
});

let reference: Dump;
before(async () => {
  const e = await startEmulator();
  try {
    const ws = workspace();
    assert.equal(
      (await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes'], { cwd: ws.dir })).code,
      0,
    );
    reference = dumpState(e.store);
  } finally {
    await e.close();
  }
});

/** Runs up, sends SIGINT once the CA pool's create was sent; resolves with the output and the time it took after. */
function interruptedUp(
  e: Emulator,
  ws: ReturnType<typeof workspace>,
  waitSeconds: number,
): Promise<CliResult & { afterMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'up', '--env', ws.env, '--emulator', e.url, '--yes', '--json'],
      {
        cwd: ws.dir,
        env: { ...process.env, NO_COLOR: '1', DPGCE_INTERRUPT_WAIT: String(waitSeconds) },
      },
    );
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const watch = setInterval(() => {
      if (sentAt || !e.requests.some((q) => q.method === 'POST' && q.path.endsWith('/caPools')))
        return;
      sentAt = Date.now();
      child.kill('SIGINT');
    }, 5);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(watch);
      resolve({ code, stdout, stderr, afterMs: Date.now() - sentAt });
    });
  });
}

describe('SIGINT during up', () => {
  it('waits for the running change, starts nothing new, says what remains; up again finishes', async () => {
    const e = await startEmulator({ timing: slowPool(1500) });
    try {
      const ws = workspace();
      const r = await interruptedUp(e, ws, 30);
      assert.equal(r.code, 1, r.stderr.slice(-500));
      assert.match(
        r.stderr,
        /interrupted: no new changes will start; waiting up to 30 s for .*ca-pool\.swp/,
      );
      const changes = JSON.parse(r.stdout).changes;
      const status = (a: string) => changes.find((c: any) => c.address === a)?.status;
      assert.equal(status('ca-pool.swp'), 'done', 'the running create was waited for');
      assert.ok(e.store.get(POOL));
      // Its dependent was next in line: not started. What depends on that is skipped in turn.
      const ca = changes.find((c: any) => c.address === 'certificate-authority.root');
      assert.deepEqual([ca.status, ca.error], ['skipped', 'interrupted']);
      assert.equal(status('gateway.swp'), 'skipped');
      assert.equal(
        e.store.list(`${POOL}/certificateAuthorities`).length,
        0,
        'the CA was never asked for',
      );
      assert.match(r.stderr, /Run `dpgce up` again to finish/);

      await upAgainReachesReference(e, ws);
    } finally {
      await e.close();
    }
  });

  it('stops waiting after the bound, names what was still running, and exits; up again adopts it', async () => {
    const e = await startEmulator({ timing: slowPool(9000) });
    try {
      const ws = workspace();
      const r = await interruptedUp(e, ws, 1);
      assert.equal(r.code, 1, r.stderr.slice(-500));
      assert.ok(r.afterMs < 7000, `exited ${r.afterMs} ms after SIGINT`);
      assert.match(r.stderr, /still running after 1 s: no longer waiting for .*ca-pool\.swp/);
      assert.match(
        r.stderr,
        /failed: ca-pool\.swp: interrupted while running: its operation may still finish in the cloud/,
      );
      const changes = JSON.parse(r.stdout).changes;
      assert.equal(changes.find((c: any) => c.address === 'ca-pool.swp').status, 'failed');
      const journal = readFileSync(join(ws.dir, '.dpgce', 'journal.jsonl'), 'utf8');
      assert.match(journal, /"event":"change-interrupted","address":"ca-pool.swp"/);

      // The pool's create is still running in the "cloud": the next up waits for it and adopts it.
      await upAgainReachesReference(e, ws);
    } finally {
      await e.close();
    }
  });
});

/** `up` run again to the end: it exits 0 and leaves exactly what an uninterrupted `up` leaves. */
async function upAgainReachesReference(e: Emulator, ws: { dir: string; env: string }): Promise<void> {
  const again = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes'], { cwd: ws.dir });
  assert.equal(again.code, 0, again.stderr.slice(-500));
  const c = compareDumps(reference, dumpState(e.store));
  assert.ok(c.equal, describeComparison(c));
}
