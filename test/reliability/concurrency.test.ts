import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import {
  compareDumps,
  describeComparison,
  dumpState,
  ownedBy,
  type Dump,
} from '../../bench/state-dump.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { Store } from '../../src/emulator/store.js';
import { runCli, workspace } from '../helpers/cli.js';

// Two runs on one environment at once: the run lock in the staging bucket
// lets one change it while the other waits or stops with a message naming
// the holder; two --local processes serialize on the state folder. The lock
// never outlives a run, never blocks down from deleting its bucket, and a
// no-change run never takes it.

const BUCKET = 'dpgce-demo-staging';
const LOCK = `b/${BUCKET}/o/.dpgce/dpgce.lock`;

let reference: Dump;

before(async () => {
  const e = await startEmulator();
  try {
    const ws = workspace();
    const r = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes'], { cwd: ws.dir });
    assert.equal(r.code, 0, r.stderr);
    reference = dumpState(e.store);
  } finally {
    await e.close();
  }
});

describe('two concurrent up on one emulator', () => {
  let e: Emulator;
  before(async () => (e = await startEmulator()));
  after(() => e.close());

  it('one builds the environment; the other fails with the lock message or finds nothing to do', async () => {
    const [a, b] = [workspace(), workspace()];
    const run = (ws: typeof a) =>
      runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes'], { cwd: ws.dir });
    const results = await Promise.all([run(a), run(b)]);
    const ok = results.filter((r) => r.code === 0);
    assert.ok(ok.length >= 1, results.map((r) => r.stderr.slice(-300)).join('\n---\n'));
    for (const r of results.filter((x) => x.code !== 0)) {
      assert.match(
        r.stderr,
        /environment "dpgce" is locked by another run: dpgce up by .+ \(pid \d+\), started .+ ago/,
      );
      assert.match(r.stderr, /--break-lock/);
    }
    const c = compareDumps(reference, dumpState(e.store));
    assert.ok(c.equal, describeComparison(c));
  });
});

describe('two concurrent up, the second willing to wait', () => {
  it('both exit 0; the second waits for the lock and then finds nothing left to do', async () => {
    const e = await startEmulator({
      timing: { latency: { defaultMs: 30, rules: [] }, minPolls: 1 },
    });
    try {
      const [a, b] = [workspace(), workspace()];
      const run = (ws: typeof a) =>
        runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes', '--lock-timeout', '120'], {
          cwd: ws.dir,
        });
      const results = await Promise.all([run(a), run(b)]);
      for (const r of results) assert.equal(r.code, 0, r.stderr.slice(-500));
      const c = compareDumps(reference, dumpState(e.store));
      assert.ok(c.equal, describeComparison(c));
      assert.equal(e.store.get(LOCK), undefined, 'no lock left behind');
    } finally {
      await e.close();
    }
  });
});

describe('two --local processes on one state folder', () => {
  it('serialize on the state lock: the second waits, then has nothing to do', async () => {
    const ws = workspace();
    const run = () =>
      runCli(['up', '--env', ws.env, '--local', '--local-state', ws.state, '--yes'], {
        cwd: ws.dir,
      });
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.code, 0, a.stderr.slice(-400));
    assert.equal(b.code, 0, b.stderr.slice(-400));
    const waited = [a, b].filter((r) => /waiting for .*locked by process \d+/.test(r.stderr));
    assert.equal(waited.length, 1, 'exactly one waited for the other');
    assert.match(waited[0].stdout, /No changes/);
    const c = compareDumps(reference, dumpState(new Store(`${ws.state}/state.json`)));
    assert.ok(c.equal, describeComparison(c));
  });
});

describe('the first up', () => {
  it("creates the staging bucket first, as the lock's home, and reports it once", async () => {
    const e = await startEmulator();
    try {
      const ws = workspace();
      const r = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes', '--json'], {
        cwd: ws.dir,
      });
      assert.equal(r.code, 0, r.stderr.slice(-400));
      assert.match(
        r.stderr,
        /created bucket\.staging \(gs:\/\/dpgce-demo-staging\), the home of the run lock/,
      );
      assert.doesNotMatch(r.stderr, /the environment changed since it was read/);
      const doc = JSON.parse(r.stdout);
      const addresses = doc.changes.map((c: any) => c.address);
      assert.equal(addresses.filter((a: string) => a === 'bucket.staging').length, 1);
      assert.equal(addresses[0], 'bucket.staging');
      assert.equal(doc.summary.create, doc.changes.length);
      assert.ok(doc.changes.every((c: any) => c.status === 'done'));
      assert.equal(e.store.get(LOCK), undefined, 'released');
    } finally {
      await e.close();
    }
  });
});

describe('the run lock itself', () => {
  let e: Emulator;
  let ws: ReturnType<typeof workspace>;
  const args = (): string[] => ['--env', ws.env, '--emulator', e.url, '--yes'];
  const holdLock = (pid: number, host = hostname()): void =>
    e.store.put(LOCK, {
      kind: 'storage#object',
      name: '.dpgce/dpgce.lock',
      bucket: BUCKET,
      generation: '1700000000000000',
      metageneration: '1',
      timeCreated: new Date(Date.now() - 754_000).toISOString(),
      contentType: 'application/json',
      metadata: {
        'dpgce-env': 'dpgce',
        'dpgce-role': 'run-lock',
        command: 'up',
        user: 'ci',
        host,
        pid: String(pid),
        started: new Date(Date.now() - 754_000).toISOString(),
        run: 'another-run',
      },
    });
  const driftFirewall = (): void => {
    const name = 'projects/dpgce-demo-project/global/firewalls/dpgce-egress-proxy';
    e.store.put(name, { ...e.store.get(name)!, priority: 999 });
  };

  before(async () => {
    e = await startEmulator();
    ws = workspace();
    assert.equal((await runCli(['up', ...args()], { cwd: ws.dir })).code, 0);
  });
  after(() => e.close());

  it('is not taken by a run with no changes, which stays read-only', async () => {
    holdLock(process.pid);
    const before = e.requests.length;
    const r = await runCli(['up', ...args()], { cwd: ws.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      e.requests.slice(before).filter((q) => q.mutating),
      [],
    );
  });

  it('held by a live run, stops a run with changes, naming the holder and its age; nothing changes', async () => {
    holdLock(process.pid, 'ci-runner-7');
    driftFirewall();
    const before = e.requests.length;
    const r = await runCli(['up', ...args()], { cwd: ws.dir });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /locked by another run: dpgce up by ci@ci-runner-7 \(pid \d+\), started .*, 13 min ago/,
    );
    assert.match(r.stderr, /gs:\/\/dpgce-demo-staging\/\.dpgce\/dpgce\.lock/);
    const writes = e.requests.slice(before).filter((q) => q.mutating);
    assert.deepEqual(
      writes.map((q) => `${q.method} ${q.path} ${q.status}`),
      [`POST /upload/storage/v1/b/${BUCKET}/o 412`],
      'only the attempt to take the lock',
    );
    assert.equal(
      e.store.get('projects/dpgce-demo-project/global/firewalls/dpgce-egress-proxy')?.priority,
      999,
    );
  });

  it('--break-lock breaks it and the run goes on; the lock is gone afterwards', async () => {
    const r = await runCli(['up', ...args(), '--break-lock'], { cwd: ws.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /breaking the run lock \(--break-lock\): dpgce up by ci@ci-runner-7/);
    assert.equal(
      e.store.get('projects/dpgce-demo-project/global/firewalls/dpgce-egress-proxy')?.priority,
      1000,
    );
    assert.equal(e.store.get(LOCK), undefined);
  });

  it('held by a dead process of this machine is stale: broken at once', async () => {
    holdLock(2 ** 22 + 12345); // above pid_max's default: no such process
    driftFirewall();
    const r = await runCli(['up', ...args()], { cwd: ws.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /breaking a stale run lock: dpgce up by ci@/);
    assert.equal(e.store.get(LOCK), undefined);
  });

  it("is neither someone else's object nor in the way when down deletes its bucket", async () => {
    const r = await runCli(['down', ...args(), '--json'], { cwd: ws.dir });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.changes.some((c: any) => c.address === 'bucket.staging' && c.status === 'done'));
    assert.doesNotMatch(r.stderr, /did not write/);
    assert.equal(e.store.get(`b/${BUCKET}`), undefined);
    assert.deepEqual(ownedBy(e.store, 'dpgce'), []);
    const deletes = e.requests.filter(
      (q) => q.method === 'DELETE' && q.path.includes('dpgce.lock'),
    );
    assert.ok(deletes.length > 0, 'the lock was released by a delete');
  });
});
