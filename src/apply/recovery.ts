import { GcpError, isTransient } from '../gcp/errors.js';
import { OperationFailed } from '../gcp/operations.js';
import { sleep } from '../gcp/retry.js';
import type { Desired, Observed, ResourceHandler, RunContext } from '../resources/types.js';

// What a change does when its call fails after the cloud may already have
// acted. Session.call retries a refused call; this layer handles the two
// cases it cannot see:
//
// - the reply was lost after the change was made (a reset, a 503 from the
//   front end): the retry then meets "already exists" (handled by the
//   engine's read-and-compare), "not found" on a delete, or a stale
//   generation on an update. So a failed delete or update reads the
//   resource again, and is done if the resource is already as wanted;
// - the call was accepted and its operation ended in a transient error
//   (UNAVAILABLE, INTERNAL): nothing was retried yet, and the change as a
//   whole is tried again, a few times, with backoff.
//
// Creates need no read here: a create that meets its own earlier attempt
// gets 409 and the engine adopts what it finds only if it is ours and matches.

/** Attempts of one change whose operations end in transient errors. */
export const OPERATION_ATTEMPTS = 3;

/** The same handlers, with recovery around create, update and delete. */
export function recovering(
  handlers: Record<string, ResourceHandler>,
): Record<string, ResourceHandler> {
  return Object.fromEntries(Object.entries(handlers).map(([kind, h]) => [kind, recover(h)]));
}

function recover(h: ResourceHandler): ResourceHandler {
  const out: ResourceHandler = {
    ...h,
    create: (ctx, d) => again(ctx, () => h.create(ctx, d)),
    delete: (ctx, d, o) =>
      settle(
        ctx,
        d,
        h,
        o,
        (cur) => h.delete(ctx, d, cur),
        (now) => !now.exists,
      ),
  };
  if (h.update) {
    const update = h.update.bind(h);
    out.update = (ctx, d, o, diffs) =>
      settle(
        ctx,
        d,
        h,
        o,
        (cur) => update(ctx, d, cur, cur === o ? diffs : h.diff(d, cur)),
        (now) => now.exists && now.owned && h.diff(d, now).length === 0,
      );
  }
  return out;
}

/** Runs `act`; if it fails, reads again: done when `reached`, else tried again or thrown. */
async function settle(
  ctx: RunContext,
  d: Desired,
  h: ResourceHandler,
  observed: Observed,
  act: (current: Observed) => Promise<void>,
  reached: (now: Observed) => boolean,
): Promise<void> {
  let current = observed;
  for (let attempt = 1; ; attempt++) {
    try {
      return await act(current);
    } catch (err) {
      if (!(err instanceof GcpError)) throw err;
      // A read that fails too says nothing new: the change's own error stands.
      const now = await h.read(ctx, d).catch(() => undefined);
      if (now && reached(now)) return;
      if (!retryableOperation(err, attempt)) throw err;
      await pause(ctx, attempt);
      current = now ?? current;
    }
  }
}

/** Runs `act` again while its operation ends in a transient error. */
async function again(ctx: RunContext, act: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await act();
    } catch (err) {
      if (!retryableOperation(err, attempt)) throw err;
      await pause(ctx, attempt);
    }
  }
}

function retryableOperation(err: unknown, attempt: number): boolean {
  return err instanceof OperationFailed && isTransient(err) && attempt < OPERATION_ATTEMPTS;
}

/** Backoff between attempts of a whole change, counted as retries. */
async function pause(ctx: RunContext, attempt: number): Promise<void> {
  ctx.session.stats.retries += 1;
  const base = ctx.session.retry.baseMs * 4 * 2 ** (attempt - 1);
  await sleep(base / 2 + Math.random() * (base / 2));
}
