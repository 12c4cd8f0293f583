import { randomBytes } from 'node:crypto';
import { ApiError } from '../errors.js';
import { numericId, type Effect, type OperationError } from '../operations.js';
import type { EmuContext, EmuRequest } from '../router.js';
import type { Resource } from '../store.js';
import { compileFilter } from './compute-filter.js';
import { computeLink, computeRef, nowIso, page, RFC1035 } from './common.js';

// What every Compute Engine collection shares: compute's error envelope
// (legacy `errors[]`, no gRPC `status`, as recorded), requestId replay,
// server-filled fields, filtered and paged lists, and reference matching.

/** An error in compute's dialect: `{code, message, errors[{domain, reason, message}]}`. */
export class ComputeError extends ApiError {
  override envelope(): unknown {
    const errors = [{ domain: 'global', reason: this.reason ?? 'invalid', message: this.message }];
    return { error: { code: this.code, message: this.message, errors } };
  }
}

export const notFound = (name: string): ComputeError =>
  new ComputeError(404, `The resource '${name}' was not found`, 'NOT_FOUND', 'notFound');

export const alreadyExists = (name: string): ComputeError =>
  new ComputeError(409, `The resource '${name}' already exists`, 'ALREADY_EXISTS', 'alreadyExists');

export const invalidField = (field: string, value: unknown, why: string): ComputeError =>
  new ComputeError(
    400,
    `Invalid value for field '${field}': '${show(value)}'. ${why}`,
    'INVALID_ARGUMENT',
    'invalid',
  );

export const conditionNotMet = (message: string): ComputeError =>
  new ComputeError(412, message, 'FAILED_PRECONDITION', 'conditionNotMet');

/** The asynchronous in-use failure a blocked delete ends with. */
export const inUse = (kind: string, name: string, user: string): OperationError => ({
  code: 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
  message: `The ${kind} resource '${name}' is already being used by '${user}'`,
  httpStatus: 400,
});

function show(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

/** The stored resource or compute's 404. */
export function mustGet(ctx: EmuContext, name: string): Resource {
  const found = ctx.store.get(name);
  if (!found) throw notFound(name);
  return found;
}

/** Whether an operation that has not finished yet will create `name`. */
function beingCreated(ctx: EmuContext, name: string): boolean {
  return Object.values(ctx.store.operations).some(
    (op) => !op.applied && !op.error && op.effects.some((e) => 'put' in e && e.put === name),
  );
}

/** A name for a new resource: 409 if it exists or its insert is still running. */
export function checkFree(ctx: EmuContext, name: string): void {
  if (ctx.store.get(name) || beingCreated(ctx, name)) throw alreadyExists(name);
}

/**
 * A resource another one refers to: 404 if there is none, 400
 * resourceNotReady while its insert is still running.
 */
export function referenced(ctx: EmuContext, name: string): Resource {
  const found = ctx.store.get(name);
  if (found) return found;
  if (beingCreated(ctx, name)) {
    throw new ComputeError(
      400,
      `The resource '${name}' is not ready`,
      'FAILED_PRECONDITION',
      'resourceNotReady',
    );
  }
  throw notFound(name);
}

/**
 * Runs a mutation under compute's requestId rule: a repeated id returns the
 * operation first started for it, and nothing happens a second time. The id
 * must be a UUID other than the zero UUID.
 */
export function withRequestId(req: EmuRequest, ctx: EmuContext, start: () => Resource): Resource {
  const project = req.params.project;
  const requestId = req.query.get('requestId');
  if (requestId !== null && !UUID.test(requestId)) {
    throw invalidField('requestId', requestId, 'Must be a valid UUID other than the zero UUID.');
  }
  const replay = ctx.ops.replay(project, requestId);
  if (replay) return replay;
  const op = start();
  ctx.ops.remember(project, requestId, op);
  return op;
}

const UUID =
  /^(?!0{8}-0{4}-0{4}-0{4}-0{12}$)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Starts the compute#operation of a mutation on the resource `name`. */
export function startOperation(
  ctx: EmuContext,
  args: {
    name: string;
    operationType: string;
    targetId: string;
    effects: Effect[];
    error?: OperationError;
  },
): Resource {
  const scope = /^projects\/[^/]+\/(global|regions\/[^/]+)/.exec(args.name)?.[0] ?? '';
  const collection = args.name.split('/').slice(-2)[0];
  return ctx.ops.startCompute({
    scope,
    operationType: args.operationType,
    targetLink: computeLink(args.name),
    targetId: args.targetId,
    collection,
    effects: args.effects,
    error: args.error,
  });
}

/** The fields the server fills on every new compute resource. */
export function serverFields(kind: string, name: string): Resource {
  return {
    kind: `compute#${kind}`,
    id: numericId(),
    creationTimestamp: nowIso(),
    selfLink: computeLink(name),
  };
}

/** Drops the fields a client may not set (it may echo them from a GET). */
export function withoutOutputOnly(input: Resource, extra: string[] = []): Resource {
  const out = { ...input };
  for (const f of ['kind', 'id', 'creationTimestamp', 'selfLink', 'selfLinkWithId', ...extra])
    delete out[f];
  return out;
}

/** A compute list: filtered, ordered by name, paged by maxResults/pageToken. */
export function listResponse(
  req: EmuRequest,
  items: Resource[],
  kind: string,
  path: string,
): Resource {
  const keep = compileFilter(req.query.get('filter'));
  const out = page(items.filter(keep), 'items', req, 'maxResults');
  return { kind: `compute#${kind}`, id: path, ...out, selfLink: computeLink(path) };
}

/** Whether a client's reference (URL or partial path) names the resource `name`. */
export function sameRef(ref: unknown, name: string, project: string): boolean {
  return typeof ref === 'string' && computeRef(ref, project) === name;
}

/** Canonical name of a referenced resource in `collection`, or a 400. */
export function refName(ref: unknown, field: string, project: string, collection: RegExp): string {
  if (typeof ref !== 'string' || ref === '') {
    throw invalidField(field, ref, 'The referenced resource cannot be found.');
  }
  const name = computeRef(ref, project);
  if (!collection.test(name)) throw invalidField(field, ref, 'Invalid resource reference.');
  return name;
}

export const NETWORK_NAME = /^projects\/[^/]+\/global\/networks\/[^/]+$/;

/** Lowercase hex suffix, as on `default-route-<hex>`. */
export const hexSuffix = (): string => randomBytes(8).toString('hex');

/** Every stored resource of a collection across all regions of a project. */
export function regional(
  ctx: EmuContext,
  project: string,
  collection: string,
): [string, Resource][] {
  const marker = `/${collection}/`;
  return ctx.store
    .entries(`projects/${project}/regions/`)
    .filter(
      ([k]) => k.includes(marker) && !k.slice(k.indexOf(marker) + marker.length).includes('/'),
    );
}

/** Compute's name rule (RFC1035, 1-63 characters), with compute's text. */
export function checkName(value: unknown, field = 'resource.name'): string {
  if (typeof value !== 'string' || !RFC1035.test(value)) {
    throw invalidField(
      field,
      value,
      "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
    );
  }
  return value;
}

/** A region in a path: `us-central1`, `europe-west10`, `me-central2`... */
export function checkRegion(region: string): void {
  if (!/^[a-z]+(-[a-z]+)+\d+$/.test(region))
    throw invalidField('region', region, 'Unknown region.');
}

/** `0 <= n <= max` integer, or the default when absent. */
export function intField(value: unknown, field: string, fallback: number, max = 65535): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
    throw invalidField(field, value, `Must be an integer between 0 and ${max}.`);
  }
  return n;
}
