import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { GcpError } from '../gcp/errors.js';
import { sleep } from '../gcp/retry.js';
import type { RunContext } from '../resources/types.js';

// The run lock (DESIGN.md §5): one object in the staging bucket, created
// with `ifGenerationMatch=0`, so of two runs that want to change the same
// environment exactly one gets it. Only runs with changes take it; `plan`,
// `status` and a no-change `up` stay read-only.
//
// The object carries the environment's mark (so `down` never counts it as
// someone else's data) and says who holds it. A holder on this machine whose
// process is gone (a killed run) is stale and broken at once; any other
// holder is waited for, up to `waitMs`, then reported with its age.
// `--break-lock` breaks whatever is there.

export interface LockHolder {
  command: string;
  user: string;
  host: string;
  pid: number;
  started: string;
  /** Unique per run: a retried insert whose first reply was lost finds its own lock. */
  run: string;
}

export interface RunLock {
  bucket: string;
  object: string;
  /** Deletes the lock if it is still this run's. Safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  command: string;
  /** How long to wait for another holder (0: fail at once). */
  waitMs: number;
  /** Break the lock whoever holds it. */
  breakLock?: boolean;
  /** Told once when the lock is held by someone else and this run waits or breaks it. */
  notice?: (text: string) => void;
}

/** The lock is held by another run. */
export class RunLockHeld extends Error {}

export const lockObject = (env: string): string => `.dpgce/${env}.lock`;

export async function acquireRunLock(
  ctx: RunContext,
  bucket: string,
  opts: LockOptions,
): Promise<RunLock> {
  const object = lockObject(ctx.names.ownerMark);
  const me: LockHolder = {
    command: opts.command,
    user: safeUser(),
    host: hostname(),
    pid: process.pid,
    started: new Date().toISOString(),
    run: randomUUID(),
  };
  const started = Date.now();
  let told = false;

  for (;;) {
    // 1. Try to create it; a 412 means someone (perhaps our own lost first try) has it.
    const generation = await tryCreate(ctx, bucket, object, me);
    if (generation) return held(ctx, bucket, object, generation);
    const current = await readLock(ctx, bucket, object);
    if (!current) continue; // released between our insert and our read
    if (current.holder.run === me.run) return held(ctx, bucket, object, current.generation);

    // 2. Stale or to be broken: delete exactly that version, then try again.
    const stale = current.holder.host === me.host && !alive(current.holder.pid);
    if (stale || opts.breakLock) {
      opts.notice?.(
        `${stale ? 'breaking a stale run lock' : 'breaking the run lock (--break-lock)'}: ${describe(current)}`,
      );
      await deleteVersion(ctx, bucket, object, current.generation);
      continue;
    }

    // 3. Someone else is at work: wait, or say who.
    if (Date.now() - started >= opts.waitMs) throw heldError(ctx, bucket, object, current);
    if (!told) opts.notice?.(`waiting for the run lock: ${describe(current)}`);
    told = true;
    await sleep(Math.min(2000, Math.max(200, opts.waitMs / 20)));
  }
}

async function tryCreate(
  ctx: RunContext,
  bucket: string,
  object: string,
  me: LockHolder,
): Promise<string | undefined> {
  const gcs = await ctx.session.client('storage');
  try {
    const res = await ctx.session.call(
      {
        method: 'storage.objects.insert',
        resource: `projects/_/buckets/${bucket}/objects/${object}`,
      },
      () =>
        gcs.objects.insert(
          {
            bucket,
            name: object,
            ifGenerationMatch: '0',
            requestBody: {
              name: object,
              contentType: 'application/json',
              metadata: lockMetadata(ctx, me),
            },
            media: {
              mimeType: 'application/json',
              body: Readable.from([Buffer.from(JSON.stringify(me) + '\n')]),
            },
          },
          ctx.session.callOptions,
        ),
    );
    return String(res.generation);
  } catch (err) {
    if (err instanceof GcpError && err.httpStatus === 412) return undefined;
    throw err;
  }
}

function lockMetadata(ctx: RunContext, me: LockHolder): Record<string, string> {
  return {
    'dpgce-env': ctx.names.ownerMark,
    'dpgce-role': 'run-lock',
    command: me.command,
    user: me.user,
    host: me.host,
    pid: String(me.pid),
    started: me.started,
    run: me.run,
  };
}

interface CurrentLock {
  generation: string;
  holder: LockHolder;
  /** From the object's creation time (the bucket's clock, not ours). */
  ageMs: number;
}

async function readLock(
  ctx: RunContext,
  bucket: string,
  object: string,
): Promise<CurrentLock | undefined> {
  const gcs = await ctx.session.client('storage');
  try {
    const o = await ctx.session.call(
      { method: 'storage.objects.get', resource: `projects/_/buckets/${bucket}/objects/${object}` },
      () => gcs.objects.get({ bucket, object }),
    );
    const m = o.metadata ?? {};
    const holder: LockHolder = {
      command: m.command ?? '?',
      user: m.user ?? '?',
      host: m.host ?? '?',
      pid: Number(m.pid ?? 0),
      started: m.started ?? o.timeCreated ?? '?',
      run: m.run ?? '',
    };
    const created = Date.parse(o.timeCreated ?? holder.started);
    return {
      generation: String(o.generation),
      holder,
      ageMs: Number.isFinite(created) ? Date.now() - created : 0,
    };
  } catch (err) {
    if (err instanceof GcpError && err.notFound) return undefined;
    throw err;
  }
}

/** Deletes that version only: a lock taken since by someone else stays. */
async function deleteVersion(
  ctx: RunContext,
  bucket: string,
  object: string,
  generation: string,
): Promise<void> {
  const gcs = await ctx.session.client('storage');
  try {
    await ctx.session.call(
      {
        method: 'storage.objects.delete',
        resource: `projects/_/buckets/${bucket}/objects/${object}`,
      },
      () => gcs.objects.delete({ bucket, object, ifGenerationMatch: generation }),
    );
  } catch (err) {
    if (err instanceof GcpError && (err.notFound || err.httpStatus === 412)) return;
    throw err;
  }
}

function held(ctx: RunContext, bucket: string, object: string, generation: string): RunLock {
  let released = false;
  return {
    bucket,
    object,
    release: async () => {
      if (released) return;
      released = true;
      await deleteVersion(ctx, bucket, object, generation);
    },
  };
}

function heldError(
  ctx: RunContext,
  bucket: string,
  object: string,
  current: CurrentLock,
): RunLockHeld {
  return new RunLockHeld(
    `environment "${ctx.names.ownerMark}" is locked by another run: ${describe(current)} ` +
      `(gs://${bucket}/${object}); nothing was changed. Wait for it to finish (--lock-timeout SECONDS waits), ` +
      'or, if no dpgce run is active any more, run again with --break-lock',
  );
}

function describe(c: CurrentLock): string {
  const h = c.holder;
  return `dpgce ${h.command} by ${h.user}@${h.host} (pid ${h.pid}), started ${h.started}, ${age(c.ageMs)} ago`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** Whether a process of this machine still runs (EPERM: it does, as someone else). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
