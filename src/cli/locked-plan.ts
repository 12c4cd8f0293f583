import type { AppliedChange } from '../apply/engine.js';
import { readAll } from '../apply/read.js';
import { recovering } from '../apply/recovery.js';
import { acquireRunLock, type RunLock } from '../apply/run-lock.js';
import { GcpError } from '../gcp/errors.js';
import type { Change, Plan } from '../plan/plan.js';
import { HANDLERS } from '../resources/index.js';
import { journal, type Prepared } from './context.js';
import { CliError } from './errors.js';

// Between confirmation and apply: take the run lock in the staging bucket,
// then read again and plan again, since another run may have changed the
// environment between our first read and the lock. The bucket is the lock's
// home, so when this run is the one to create it, it is created first (a
// concurrent run that creates it too meets 409 and adopts it: both then race
// for the lock, and one waits or fails).

export interface LockFlags {
  /** Seconds to wait for another run's lock (default 0: fail at once). */
  lockTimeout?: string | number;
  breakLock?: boolean;
}

export interface Locked {
  plan: Plan;
  lock?: RunLock;
  /** Changes made to take the lock (the staging bucket), to report with the rest. */
  done: AppliedChange[];
}

export async function lockAndReplan(
  p: Prepared,
  plan: Plan,
  verb: string,
  flags: LockFlags,
  replan?: () => Plan,
): Promise<Locked> {
  const staging = p.graph.find((d) => d.address === 'bucket.staging');
  if (!staging) return { plan, done: [] };
  const bucket = String(staging.spec.name);
  const done: AppliedChange[] = [];

  // 1. The lock's home.
  if (!p.ctx.observed.get('bucket.staging')?.exists) {
    const create = plan.changes.find(
      (c) => c.address === 'bucket.staging' && c.action === 'create',
    );
    if (!create) {
      note(`no staging bucket gs://${bucket}: nothing to hold the run lock, running without it`);
      return { plan, done };
    }
    await createHome(p, create, verb);
    done.push({ ...create, status: 'done' });
  }

  // 2. The lock; the bucket may go (a concurrent down) while we wait.
  const lock = await acquireRunLock(p.ctx, bucket, {
    command: verb,
    waitMs: seconds(flags.lockTimeout) * 1000,
    breakLock: flags.breakLock,
    notice: note,
  }).catch((err) => {
    if (err instanceof GcpError && err.notFound) {
      throw new CliError(
        `gs://${bucket} went away while taking the run lock (a concurrent down?); run ${verb} again`,
      );
    }
    throw err;
  });
  p.ctx.runLock = lock;
  if (!replan) return { plan, lock, done };

  // 3. What is there now, under the lock.
  await readAll(p.ctx, p.graph, HANDLERS);
  const fresh = replan();
  return { plan: fresh, lock, done };
}

/**
 * Whether the plan under the lock makes the changes the first one did, but
 * for those made to take the lock (for "the environment changed meanwhile").
 */
export function sameChanges(before: Plan, after: Plan, done: Change[] = []): boolean {
  const made = new Set(done.map((c) => c.address));
  const key = (p: Plan): string =>
    p.changes
      .filter((c) => !made.has(c.address))
      .map((c) => `${c.action} ${c.address}`)
      .sort()
      .join('\n');
  return key(before) === key(after);
}

async function createHome(p: Prepared, change: Change, verb: string): Promise<void> {
  const d = p.graph.find((x) => x.address === change.address)!;
  const h = recovering(HANDLERS)[d.kind];
  try {
    await h.create(p.ctx, d);
  } catch (err) {
    // Another run created it a moment ago: fine if it is ours.
    if (!(err instanceof GcpError && err.alreadyExists)) throw err;
    const o = await h.read(p.ctx, d);
    if (!o.owned) throw err;
  }
  p.ctx.observed.set(d.address, await h.read(p.ctx, d));
  journal({ command: verb, event: 'change-done', address: d.address, action: 'create' });
  note(`created ${d.address} (gs://${d.spec.name}), the home of the run lock`);
}

function seconds(v: string | number | undefined): number {
  const n = Number(v ?? 0);
  if (!Number.isFinite(n) || n < 0)
    throw new CliError(`--lock-timeout ${v}: expected seconds (0 or more)`);
  return n;
}

const note = (text: string): void => void process.stderr.write(`dpgce: ${text}\n`);
