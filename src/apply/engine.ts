import { GcpError, scrub } from '../gcp/errors.js';
import { sleep } from '../gcp/retry.js';
import type { Change, Plan } from '../plan/plan.js';
import type { Desired, ResourceHandler, RunContext } from '../resources/types.js';
import type { EventSink } from './events.js';

// Applies a plan. Each change starts as soon as the changes it depends on
// are done (independent branches in parallel), and is followed by a fresh
// read so that later changes see the real result. A failed change fails the
// changes that need it and nothing else; the run reports each outcome.
//
// Creating something that turns out to exist ("already exists": an earlier
// run was cut off after the create) is treated as read-and-compare.

export type ChangeStatus = 'done' | 'failed' | 'skipped';

export interface AppliedChange extends Change {
  status: ChangeStatus;
  error?: string;
}

export interface ApplyOptions {
  /** How often to report a long change as still running. */
  progressEveryMs?: number;
  /** Stop starting new changes (SIGINT); running ones finish. */
  shouldStop?: () => boolean;
}

export async function applyPlan(
  ctx: RunContext, graph: Desired[], plan: Plan, handlers: Record<string, ResourceHandler>,
  emit: EventSink, opts: ApplyOptions = {},
): Promise<AppliedChange[]> {
  const byAddress = new Map(graph.map((d) => [d.address, d]));
  const changes = new Map(plan.changes.map((c) => [c.address, c]));
  const tasks = new Map<string, Promise<ChangeStatus>>();
  const outcome = new Map<string, AppliedChange>();

  // A change is one or two phases: `remove` (delete, and the first half of
  // a replace) and `build` (create, update, the second half of a replace).
  const has = (address: string, phase: Phase): boolean => {
    const a = changes.get(address)?.action;
    return phase === 'remove' ? a === 'delete' || a === 'replace' : a === 'create' || a === 'update' || a === 'replace';
  };

  // What must finish first. Removing X waits for the removal of everything
  // that depends on X (and of its deleteAfter). Building X waits for the
  // building of its dependencies, for its own removal, and for deletes of
  // its own kind (a leftover rule frees the priority a new rule takes).
  const prerequisites = (address: string, phase: Phase): [string, Phase][] => {
    const d = byAddress.get(address)!;
    if (phase === 'remove') {
      return [...graph.filter((x) => x.dependsOn.includes(address)).map((x) => x.address), ...(d.deleteAfter ?? [])]
        .filter((a) => has(a, 'remove')).map((a) => [a, 'remove']);
    }
    const out: [string, Phase][] = d.dependsOn.filter((a) => has(a, 'build')).map((a) => [a, 'build']);
    if (has(address, 'remove')) out.push([address, 'remove']);
    for (const c of plan.changes) if (c.action === 'delete' && c.kind === d.kind) out.push([c.address, 'remove']);
    return out;
  };

  const run = (address: string, phase: Phase): Promise<ChangeStatus> => {
    const key = `${address}:${phase}`;
    let p = tasks.get(key);
    if (p) return p;
    p = (async () => {
      const before = await Promise.all(prerequisites(address, phase).map(([a, ph]) => run(a, ph)));
      const c = changes.get(address)!;
      if (before.some((st) => st !== 'done') || opts.shouldStop?.()) {
        const because = before.some((st) => st !== 'done') ? 'a change it depends on did not complete' : 'interrupted';
        if (!outcome.has(address)) emit({ type: 'change-skipped', change: c, because });
        if (outcome.get(address)?.status !== 'failed') outcome.set(address, { ...c, status: 'skipped', error: because });
        return 'skipped';
      }
      return execute(ctx, byAddress.get(address)!, c, phase, handlers, emit, outcome, opts);
    })();
    tasks.set(key, p);
    return p;
  };

  await Promise.all(plan.changes.flatMap((c) =>
    (['remove', 'build'] as Phase[]).filter((ph) => has(c.address, ph)).map((ph) => run(c.address, ph))));
  return plan.changes.map((c) => outcome.get(c.address)!);
}

type Phase = 'remove' | 'build';

async function execute(
  ctx: RunContext, d: Desired, c: Change, phase: Phase, handlers: Record<string, ResourceHandler>,
  emit: EventSink, outcome: Map<string, AppliedChange>, opts: ApplyOptions,
): Promise<ChangeStatus> {
  const h = handlers[d.kind];
  const started = Date.now();
  const last = phase === 'build' || c.action === 'delete';
  if (phase === 'remove' || c.action !== 'replace') emit({ type: 'change-start', change: c });
  const ticker = setInterval(() => emit({ type: 'change-progress', change: c, elapsedMs: Date.now() - started }),
    opts.progressEveryMs ?? 10_000);
  try {
    const observed = ctx.observed.get(d.address) ?? { exists: false, owned: false };
    if (phase === 'remove') {
      await h.delete(ctx, d, observed);
      ctx.observed.set(d.address, { exists: false, owned: false });
    } else {
      if (c.action === 'update') await h.update!(ctx, d, observed, c.diffs ?? []);
      else await createOrAdopt(ctx, d, h);
      ctx.observed.set(d.address, await h.read(ctx, d));
    }
    if (last) {
      outcome.set(c.address, { ...c, status: 'done' });
      emit({ type: 'change-done', change: c, elapsedMs: Date.now() - started });
    }
    return 'done';
  } catch (err) {
    const message = scrub(err instanceof Error ? err.message : String(err));
    outcome.set(c.address, { ...c, status: 'failed', error: message });
    emit({ type: 'change-failed', change: c, error: message });
    return 'failed';
  } finally {
    clearInterval(ticker);
  }
}

/** Create; if it already exists, read it, and accept it only if it is ours and matches. */
async function createOrAdopt(ctx: RunContext, d: Desired, h: ResourceHandler): Promise<void> {
  try {
    await h.create(ctx, d);
  } catch (err) {
    const taken = err instanceof GcpError && (err.alreadyExists || err.httpStatus === 412);
    if (!taken) throw err;
    // An earlier, interrupted run may have a create still running: the name
    // is taken but the resource not readable yet. Give it a moment.
    let o = await h.read(ctx, d);
    for (let wait = 100; !o.exists && wait <= 6400; wait *= 2) {
      await sleep(wait);
      o = await h.read(ctx, d);
    }
    if (!o.exists || !o.owned) throw err;
    const diffs = h.diff(d, o);
    if (diffs.some((x) => x.immutable)) throw err;
    if (diffs.length > 0) await h.update?.(ctx, d, o, diffs);
  }
}
