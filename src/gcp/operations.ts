import type { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';
import { GcpError, type CallSite } from './errors.js';
import { sleep } from './retry.js';
import type { Session } from './session.js';

// Waiting for long-running operations to end. A 200 on a mutating call only
// means "accepted": compute reports failures inside the operation, and the
// other APIs in `done` + `error`. Both are turned into GcpError here so that
// callers see one kind of failure.

const GRPC_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED',
  'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
const GRPC_HTTP: Record<string, number> = {
  INVALID_ARGUMENT: 400, FAILED_PRECONDITION: 400, OUT_OF_RANGE: 400, UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403, NOT_FOUND: 404, ALREADY_EXISTS: 409, ABORTED: 409,
  RESOURCE_EXHAUSTED: 429, INTERNAL: 500, UNAVAILABLE: 503, DEADLINE_EXCEEDED: 504,
};

/**
 * An operation that was accepted and then ended in error. Unlike a refused
 * call, nothing was retried yet: when its error is transient the whole change
 * may be tried again (src/apply/recovery.ts).
 */
export class OperationFailed extends GcpError {}

/** Polls a compute#operation with `/wait` until DONE; throws its error. */
export async function waitCompute(
  s: Session,
  project: string,
  first: compute_v1.Schema$Operation,
  site: CallSite,
): Promise<void> {
  const compute = await s.client('compute');
  const region = first.region?.split('/').pop();
  const started = Date.now();
  let op = first;

  while (op.status !== 'DONE') {
    if (Date.now() - started > s.poll.deadlineMs) throw timeout(site, op.name ?? '', s.poll.deadlineMs);
    const operation = op.name ?? '';
    const poll = { ...site, method: `compute.${region ? 'regionOperations' : 'globalOperations'}.wait` };
    op = region
      ? await s.call(poll, () => compute.regionOperations.wait({ project, region, operation }))
      : await s.call(poll, () => compute.globalOperations.wait({ project, operation }));
  }

  const error = op.error?.errors?.[0];
  if (error) {
    throw new OperationFailed(site, op.httpErrorStatusCode ?? 400, error.code ?? 'ERROR', '', error.message ?? '');
  }
}

interface Lro {
  name?: string | null;
  done?: boolean | null;
  error?: { code?: number | null; message?: string | null } | null;
  response?: Record<string, any> | null;
}

/**
 * Polls a google.longrunning.Operation through `get` until done. Polls get
 * sparser as the operation ages (a twentieth of the elapsed time, within the
 * session's bounds), so a slow gateway costs few requests and a fast one
 * little waiting.
 */
export async function waitLro<T extends Lro>(
  s: Session,
  first: T,
  site: CallSite,
  get: (name: string) => Promise<{ data: T }>,
): Promise<Record<string, any> | undefined> {
  const started = Date.now();
  let op = first;

  while (!op.done) {
    const elapsed = Date.now() - started;
    if (elapsed > s.poll.deadlineMs) throw timeout(site, op.name ?? '', s.poll.deadlineMs);
    await sleep(Math.min(s.poll.maxMs, Math.max(s.poll.minMs, elapsed / 20)));
    const name = op.name ?? '';
    op = await s.call({ ...site, method: `${site.method.split('.')[0]}.operations.get` }, () => get(name));
  }

  if (op.error) {
    const status = GRPC_NAMES[op.error.code ?? 2] ?? 'UNKNOWN';
    throw new OperationFailed(site, GRPC_HTTP[status] ?? 500, status, '', op.error.message ?? '');
  }
  return op.response ?? undefined;
}

function timeout(site: CallSite, op: string, ms: number): GcpError {
  return new GcpError(site, 0, 'DEADLINE_EXCEEDED', '',
    `operation ${op} still running after ${Math.round(ms / 1000)}s; it may finish on its own: run the command again to pick it up`);
}
