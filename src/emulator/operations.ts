import { randomBytes } from 'node:crypto';
import { ApiError, notFound } from './errors.js';
import { injectedOperationError } from './faults.js';
import type { Resource, Store } from './store.js';

// Long-running operations of both families. A mutation is not applied when
// the request arrives: the handler validates it, builds the resulting
// resources, and hands them to an operation as data ("effects"). The effects
// are applied once the operation's latency has passed (checked before every
// request, so even an unpolled operation completes, as in the cloud). A poll
// reports DONE only after `minPolls` earlier polls, so every client path
// really polls.

export type Effect =
  | { put: string; value: Resource }
  | { delete: string }
  | { merge: string; value: Resource };

export interface OperationError {
  /** Compute: `errors[0].code` (e.g. RESOURCE_IN_USE_BY_ANOTHER_RESOURCE). LRO: gRPC name. */
  code: string;
  message: string;
  /** Compute only: the HTTP status the error maps to (400, 404, ...). */
  httpStatus?: number;
}

export interface OperationRecord {
  name: string;
  family: 'compute' | 'lro';
  api: string;
  body: Resource;
  readyAt: number;
  minPolls: number;
  polls: number;
  effects: Effect[];
  applied: boolean;
  error?: OperationError;
  /** LRO: resource whose value (at completion) becomes `response`. */
  responseKey?: string;
  responseType?: string;
  /** LRO: fixed response instead of responseKey (e.g. google.protobuf.Empty). */
  response?: Resource;
  /** LRO: metadata shown once done, instead of the running metadata + endTime. */
  doneMetadata?: Resource;
  endTime?: string;
}

/** Latency of operations, by API/collection/verb; first matching rule wins. */
export interface LatencyProfile {
  defaultMs: number;
  rules: { api?: string; collection?: string; verb?: string; ms: number }[];
}

export interface OperationTiming {
  latency: LatencyProfile;
  /** Polls that report "not done" before a finished operation shows DONE. */
  minPolls: number;
}

const GRPC_NUMBER: Record<string, number> = {
  INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9, ABORTED: 10, INTERNAL: 13, UNAVAILABLE: 14,
};

export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1/';

/** A unique operation id, shared format across APIs so names never collide. */
export function operationId(): string {
  return `operation-${Date.now()}-${randomBytes(6).toString('hex')}`;
}

export class Operations {
  constructor(private readonly store: Store, public timing: OperationTiming) {}

  private latencyFor(api: string, collection: string, verb: string): number {
    const rule = this.timing.latency.rules.find(
      (r) => (!r.api || r.api === api) && (!r.collection || r.collection === collection) &&
        (!r.verb || r.verb === verb),
    );
    return rule ? rule.ms : this.timing.latency.defaultMs;
  }

  /** Starts a compute#operation; `scope` is `projects/p/global` or `projects/p/regions/r`. */
  startCompute(args: {
    scope: string; operationType: string; targetLink: string; targetId?: string;
    collection: string; effects: Effect[]; error?: OperationError; user?: string;
  }): Resource {
    const name = operationId();
    const now = new Date().toISOString();
    const body: Resource = {
      kind: 'compute#operation',
      id: numericId(),
      name,
      operationType: args.operationType,
      targetLink: args.targetLink,
      targetId: args.targetId ?? numericId(),
      status: 'RUNNING',
      user: args.user ?? 'emulator@dpgce.local',
      progress: 0,
      insertTime: now,
      startTime: now,
      selfLink: `${COMPUTE_BASE}${args.scope}/operations/${name}`,
    };
    const region = /^projects\/[^/]+\/regions\/([^/]+)/.exec(args.scope);
    if (region) body.region = `${COMPUTE_BASE}${region[0]}`;
    return this.record({ name, family: 'compute', api: 'compute', body, effects: args.effects,
      error: args.error, collection: args.collection, verb: args.operationType });
  }

  /**
   * Starts a google.longrunning.Operation under `parent` (`projects/p/locations/l`,
   * `projects/p/regions/r` for Dataproc, or '' for Service Usage's `operations/*`).
   */
  startLro(args: {
    api: string; parent: string; verb: string; target: string; collection: string;
    metadataType: string; effects: Effect[]; responseKey?: string; responseType?: string;
    response?: Resource; error?: OperationError;
    /**
     * Running metadata other than the OperationMetadata built from the fields
     * above; null for none (Service Usage sends only the name while running).
     */
    metadata?: Resource | null;
    /** Metadata once done, replacing the running one (and its endTime). */
    doneMetadata?: Resource;
    /** Done in the very first response, as Service Usage's generateServiceIdentity. */
    immediate?: boolean;
  }): Resource {
    const name = args.parent ? `${args.parent}/operations/${operationId()}` : `operations/${operationId()}`;
    const body: Resource = { name };
    const metadata = args.metadata !== undefined ? args.metadata : {
      '@type': args.metadataType,
      createTime: new Date().toISOString(),
      target: args.target,
      verb: args.verb,
      apiVersion: 'v1',
    };
    if (metadata) body.metadata = metadata;
    return this.record({ name, family: 'lro', api: args.api, body, effects: args.effects,
      error: args.error, collection: args.collection, verb: args.verb,
      responseKey: args.responseKey, responseType: args.responseType, response: args.response,
      doneMetadata: args.doneMetadata, immediate: args.immediate });
  }

  private record(args: Omit<OperationRecord, 'readyAt' | 'minPolls' | 'polls' | 'applied'> &
    { collection: string; verb: string; immediate?: boolean }): Resource {
    const { collection, verb, immediate, ...rest } = args;
    const op: OperationRecord = {
      ...rest,
      // An injected fault: the operation ends in error and changes nothing.
      error: rest.error ?? injectedOperationError(rest.family),
      readyAt: immediate ? Date.now() : Date.now() + this.latencyFor(args.api, collection, verb),
      minPolls: immediate ? -1 : this.timing.minPolls,
      polls: 0,
      applied: false,
    };
    this.store.operations[op.name] = op;
    this.store.markDirty();
    this.settle();
    return render(op);
  }

  /** Applies the effects of every operation whose time has come. */
  settle(now = Date.now()): void {
    const due = Object.values(this.store.operations)
      .filter((op) => !op.applied && op.readyAt <= now)
      .sort((a, b) => a.readyAt - b.readyAt);
    for (const op of due) this.complete(op);
  }

  private complete(op: OperationRecord): void {
    if (!op.error) for (const e of op.effects) this.apply(e);
    op.applied = true;
    op.endTime = new Date().toISOString();
    if (op.family === 'lro' && !op.error && !op.response && op.responseKey) {
      const value = this.store.get(op.responseKey) ?? {};
      op.response = { '@type': op.responseType, ...value };
    }
    op.effects = [];
    this.store.markDirty();
  }

  private apply(e: Effect): void {
    if ('put' in e) this.store.put(e.put, e.value);
    else if ('delete' in e) this.store.delete(e.delete);
    else {
      const current = this.store.get(e.merge);
      if (current) this.store.put(e.merge, { ...current, ...e.value });
    }
  }

  /** Finds an operation by full or short name. */
  find(name: string): OperationRecord {
    const op = this.store.operations[name] ??
      Object.values(this.store.operations).find((o) => o.name.endsWith(`/${name}`) || o.name === name);
    if (!op) throw notFound(name);
    return op;
  }

  /** One GET of an operation: counts the poll and renders the current view. */
  poll(name: string): Resource {
    const op = this.find(name);
    op.polls += 1;
    this.store.markDirty();
    return render(op);
  }

  /** compute's `/wait`: blocks (up to maxMs) until the operation is done. */
  async wait(name: string, maxMs: number): Promise<Resource> {
    const op = this.find(name);
    op.polls += 1;
    this.store.markDirty();
    if (op.polls > op.minPolls) {
      const delay = Math.min(Math.max(0, op.readyAt - Date.now()), maxMs);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      this.settle();
    }
    return render(op);
  }

  /** Recorded requestId replay: the operation first returned, if any. */
  replay(project: string, requestId: string | null): Resource | undefined {
    if (!requestId) return undefined;
    const name = this.store.requestIds[`${project}/${requestId}`];
    const op = name ? this.store.operations[name] : undefined;
    return op ? render(op) : undefined;
  }

  remember(project: string, requestId: string | null, opBody: Resource): void {
    if (!requestId) return;
    this.store.requestIds[`${project}/${requestId}`] = opBody.name;
    this.store.markDirty();
  }
}

/** The view of an operation a client sees now. */
function render(op: OperationRecord): Resource {
  // The create response itself (polls = 0) is never done, unless immediate.
  const done = op.applied && op.polls > op.minPolls;
  if (op.family === 'compute') return renderCompute(op, done);
  if (!done) return structuredClone(op.body);
  const body: Resource = structuredClone(op.body);
  if (op.doneMetadata) body.metadata = structuredClone(op.doneMetadata);
  else if (body.metadata) body.metadata.endTime = op.endTime;
  body.done = true;
  if (op.error) {
    body.error = { code: GRPC_NUMBER[op.error.code] ?? 2, message: op.error.message };
  } else {
    body.response = op.response ?? { '@type': 'type.googleapis.com/google.protobuf.Empty' };
  }
  return body;
}

function renderCompute(op: OperationRecord, done: boolean): Resource {
  const body: Resource = structuredClone(op.body);
  if (!done) return body;
  body.status = 'DONE';
  body.progress = 100;
  body.endTime = op.endTime;
  if (op.error) {
    body.error = { errors: [{ code: op.error.code, message: op.error.message }] };
    body.httpErrorStatusCode = op.error.httpStatus ?? 400;
    body.httpErrorMessage = HTTP_TEXT[body.httpErrorStatusCode] ?? 'BAD REQUEST';
  }
  return body;
}

const HTTP_TEXT: Record<number, string> = {
  400: 'BAD REQUEST', 403: 'FORBIDDEN', 404: 'NOT FOUND', 409: 'CONFLICT', 412: 'PRECONDITION FAILED',
  500: 'INTERNAL SERVER ERROR', 503: 'SERVICE UNAVAILABLE',
};

/** A decimal uint64-style id, as compute returns them. */
export function numericId(): string {
  return (BigInt('0x' + randomBytes(8).toString('hex')) >> 1n).toString();
}

export { ApiError };
