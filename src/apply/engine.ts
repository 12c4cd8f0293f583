import { GcpError } from '../gcp/errors.js';
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
  const pending = new Map(plan.changes.map((c) => [c.address, c]));
  const results = new Map<string, Promise<ChangeStatus>>();
  const outcome = new Map<string, AppliedChange>();
  const down = plan.changes.some((c) => c.action === 'delete');

  // What must finish before `c`: for up, its dependencies' changes; for
  // down, the deletes of everything that depends on it.
  const prerequisites = (c: Change): string[] => down
    ? graph.filter((d) => d.dependsOn.includes(c.address) && pending.has(d.address)).map((d) => d.address)
      .concat((byAddress.get(c.address)?.deleteAfter ?? []).filter((a) => pending.has(a)))
    : (byAddress.get(c.address)?.dependsOn ?? []).filter((a) => pending.has(a));

  const run = (c: Change): Promise<ChangeStatus> => {
    let p = results.get(c.address);
    if (p) return p;
    p = (async () => {
      const before = await Promise.all(prerequisites(c).map((a) => run(pending.get(a)!)));
      const blocked = before.some((s) => s !== 'done');
      if (blocked || opts.shouldStop?.()) {
        const because = blocked ? 'a change it depends on did not complete' : 'interrupted';
        outcome.set(c.address, { ...c, status: 'skipped', error: because });
        emit({ type: 'change-skipped', change: c, because });
        return 'skipped';
      }
      return execute(ctx, byAddress.get(c.address)!, c, handlers, emit, outcome, opts);
    })();
    results.set(c.address, p);
    return p;
  };

  await Promise.all(plan.changes.map(run));
  return plan.changes.map((c) => outcome.get(c.address)!);
}

async function execute(
  ctx: RunContext, d: Desired, c: Change, handlers: Record<string, ResourceHandler>,
  emit: EventSink, outcome: Map<string, AppliedChange>, opts: ApplyOptions,
): Promise<ChangeStatus> {
  const h = handlers[d.kind];
  const started = Date.now();
  emit({ type: 'change-start', change: c });
  const ticker = setInterval(() => emit({ type: 'change-progress', change: c, elapsedMs: Date.now() - started }),
    opts.progressEveryMs ?? 10_000);
  try {
    const observed = ctx.observed.get(d.address) ?? { exists: false, owned: false };
    if (c.action === 'create') await createOrAdopt(ctx, d, h);
    else if (c.action === 'update') await h.update!(ctx, d, observed, c.diffs ?? []);
    else if (c.action === 'replace') {
      await h.delete(ctx, d, observed);
      await h.create(ctx, d);
    } else await h.delete(ctx, d, observed);

    if (c.action !== 'delete') ctx.observed.set(d.address, await h.read(ctx, d));
    else ctx.observed.set(d.address, { exists: false, owned: false });
    outcome.set(c.address, { ...c, status: 'done' });
    emit({ type: 'change-done', change: c, elapsedMs: Date.now() - started });
    return 'done';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
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
    if (!(err instanceof GcpError && err.alreadyExists)) throw err;
    const o = await h.read(ctx, d);
    if (!o.exists || !o.owned) throw err;
    const diffs = h.diff(d, o);
    if (diffs.some((x) => x.immutable)) throw err;
    if (diffs.length > 0) await h.update?.(ctx, d, o, diffs);
  }
}
