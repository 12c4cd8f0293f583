import { checkMaskPaths } from '../api-schema.js';
import { ApiError } from '../errors.js';
import type { Effect, OperationError } from '../operations.js';
import type { EmuContext, EmuRequest } from '../router.js';
import type { Resource } from '../store.js';

// Shared pieces of the four google.longrunning APIs emulated here
// (networkservices, networksecurity, certificatemanager, privateca): starting
// their operations, seeing creates and deletes that are still in flight,
// field masks, durations, proto3 default omission and project-number
// references. See docs/emulator.md for the sources of each rule.

export interface LroApi {
  api: string;
  metadataType: string;
  /** `type.googleapis.com/<package>.` prefix of response types. */
  typePrefix: string;
}

/** Starts an operation under `projects/P/locations/L` for `target`. */
export function startOp(ctx: EmuContext, api: LroApi, a: {
  target: string; verb: string; collection: string; effects: Effect[];
  /** Response: the stored resource at completion, of this type (short name). */
  responseKind?: string; response?: Resource; error?: OperationError;
  /** Where the operation lives, when not the target's location. */
  parent?: string;
}): Resource {
  const parent = a.parent ?? /^projects\/[^/]+\/locations\/[^/]+/.exec(a.target)?.[0] ?? '';
  return ctx.ops.startLro({
    api: api.api, parent, verb: a.verb, target: a.target, collection: a.collection,
    metadataType: api.metadataType, effects: a.effects,
    responseKey: a.responseKind ? a.target : undefined,
    responseType: a.responseKind ? `${api.typePrefix}${a.responseKind}` : undefined,
    response: a.response, error: a.error,
  });
}

/** Effects of accepted operations that have not completed yet. */
export function pendingEffects(ctx: EmuContext): Effect[] {
  return Object.values(ctx.store.operations)
    .filter((op) => !op.applied && !op.error)
    .flatMap((op) => op.effects);
}

/** A create of `key` that was accepted but has not completed yet. */
export function pendingPut(ctx: EmuContext, key: string): Resource | undefined {
  const e = pendingEffects(ctx).find((x) => 'put' in x && x.put === key);
  return e && 'put' in e ? e.value : undefined;
}

/** Stored now, or about to be (for ALREADY_EXISTS and one-time side effects). */
export const existsOrPending = (ctx: EmuContext, key: string): boolean =>
  ctx.store.get(key) !== undefined || pendingPut(ctx, key) !== undefined;

/**
 * `updateMask` fields, top level, camelCase (gcloud may send snake_case);
 * `*` stays `*` (AIP-134 full replacement). A path naming no field of the
 * API's resource is Google's 400, checked against the googleapis tables.
 */
export function maskFields(req: EmuRequest, api: string): string[] {
  const raw = req.query.get('updateMask') ?? req.query.get('update_mask') ?? '';
  const paths = raw.split(',').map((f) => f.trim()).filter(Boolean);
  checkMaskPaths(api, req.path, paths);
  const top = paths.map((f) => f.split('.')[0].replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
  return [...new Set(top)];
}

/**
 * AIP-134 update: with a mask, each masked field is copied (absent = cleared);
 * `*` masks every updatable field, so the body replaces the resource;
 * without a mask, every field the body sets is copied. `immutable` fields may
 * be repeated unchanged (or, under `*`, left out) but never changed;
 * `outputOnly` fields are ignored.
 */
export function applyMask(current: Resource, patch: Resource, mask: string[], rules: {
  updatable: string[]; immutable?: string[]; outputOnly?: string[];
}): Resource {
  const next: Resource = structuredClone(current);
  const full = mask.includes('*');
  const named = mask.length ? mask : Object.keys(patch);
  const fields = full ? [...new Set([...rules.updatable, ...Object.keys(patch)])] : named;
  // Leaving a field out clears it only when a mask names it; `*` names only updatable ones.
  const explicit = mask.length > 0 && !full;
  for (const f of fields) {
    if (f === 'name' || rules.outputOnly?.includes(f)) continue;
    const same = JSON.stringify(current[f]) === JSON.stringify(patch[f]);
    if (rules.immutable?.includes(f) || !rules.updatable.includes(f)) {
      if (same || (!explicit && patch[f] === undefined)) continue;
      const why = rules.immutable?.includes(f) ? 'is immutable' : 'cannot be updated';
      throw new ApiError(400, `Field '${f}' ${why}.`, 'INVALID_ARGUMENT');
    }
    if (patch[f] === undefined) delete next[f];
    else next[f] = structuredClone(patch[f]);
  }
  return next;
}

/** A google.protobuf.Duration in JSON form (`"2592000s"`, `"1.5s"`), as seconds. */
export function duration(value: unknown, field: string): number {
  if (typeof value !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(value)) {
    throw new ApiError(400, `Invalid value at '${field}' (type.googleapis.com/google.protobuf.Duration), ` +
      `"${String(value)}"`, 'INVALID_ARGUMENT');
  }
  return Number(value.slice(0, -1));
}

/** 400 with a google.rpc.BadRequest detail naming the offending fields. */
export class BadRequestError extends ApiError {
  constructor(message: string, readonly violations: { field: string; description: string }[]) {
    super(400, message, 'INVALID_ARGUMENT');
  }

  override envelope(): unknown {
    const env = super.envelope() as { error: Record<string, unknown> };
    env.error.details = [{
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: this.violations,
    }];
    return env;
  }
}

/** proto3 JSON: scalar fields at their default value are not sent. */
export function omitDefaults(obj: Resource, fields: string[]): Resource {
  for (const f of fields) {
    const v = obj[f];
    if (v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0)) delete obj[f];
  }
  return obj;
}

/** gcloud sends `True`/`False` in query strings. */
export const queryFlag = (req: EmuRequest, name: string): boolean =>
  (req.query.get(name) ?? '').toLowerCase() === 'true';

/** A `projects/<id or number>/...` reference, rewritten to the project id. */
export function byProjectId(ctx: EmuContext, ref: string, project: string): string {
  const m = /^projects\/([^/]+)\/(.*)$/.exec(ref);
  if (!m) return ref;
  return m[1] === ctx.projectNumber(project) ? `projects/${project}/${m[2]}` : ref;
}

/** The same reference with the project number, as some APIs return it. */
export function byProjectNumber(ctx: EmuContext, ref: string): string {
  const m = /^projects\/([^/]+)\/(.*)$/.exec(ref);
  if (!m || /^\d+$/.test(m[1])) return ref;
  return `projects/${ctx.projectNumber(m[1])}/${m[2]}`;
}

/** Strips `https://<service>.googleapis.com/v1/` or `//<service>.googleapis.com/` from a reference. */
export const stripServiceUrl = (ref: string): string =>
  ref.replace(/^(https:)?\/\/[a-z]+\.googleapis\.com\/(v1[a-z0-9]*\/)?/, '');

/**
 * Resources of `collection` under `projects/P/locations/L`; location `-`
 * means every location (Certificate Manager and gcloud list that way).
 */
export function listIn(ctx: EmuContext, project: string, location: string, collection: string): Resource[] {
  if (location !== '-') return ctx.store.list(`projects/${project}/locations/${location}/${collection}`);
  const re = new RegExp(`^projects/${escapeRe(project)}/locations/[^/]+/${escapeRe(collection)}/[^/]+$`);
  return ctx.store.entries(`projects/${project}/locations/`).filter(([k]) => re.test(k)).map(([, v]) => v);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The resource id rule of networksecurity/networkservices names. */
export const NAME_PATTERN = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A required create id (`?gatewayId=`) checked against `pattern`. */
export function createId(req: EmuRequest, param: string, pattern: RegExp, rule: string): string {
  const id = req.query.get(param);
  if (!id) throw new ApiError(400, `Field '${param}' is required.`, 'INVALID_ARGUMENT');
  if (!pattern.test(id)) {
    throw new ApiError(400, `Invalid ${param} '${id}': ${rule}.`, 'INVALID_ARGUMENT');
  }
  return id;
}

export const invalidArgument = (message: string): ApiError => new ApiError(400, message, 'INVALID_ARGUMENT');
