import { createHash } from 'node:crypto';
import { ApiError, invalid } from '../errors.js';
import { COMPUTE_BASE } from '../operations.js';
import type { EmuRequest } from '../router.js';
import type { Resource } from '../store.js';
import { pageOf } from '../strict.js';
import { compileFilter } from './compute-filter.js';

// Small pieces every API module needs, kept in one place so the modules read
// as the API's own rules.

export const nowIso = (): string => new Date().toISOString();

/** `projects/p/global/networks/n` -> `https://www.googleapis.com/compute/v1/projects/p/global/networks/n`. */
export const computeLink = (path: string): string => `${COMPUTE_BASE}${path}`;

/**
 * Normalises any compute reference a client may send (full URL on
 * compute.googleapis.com or www.googleapis.com, or on the emulator's own
 * origin, or a partial `projects/...` path) to the canonical resource name
 * `projects/...`.
 */
export function computeRef(ref: string, project: string): string {
  const stripped = ref
    .replace(/^https:\/\/(compute|www)\.googleapis\.com\/compute\/(v1|beta)\//, '')
    // gcloud pointed at the emulator builds references on the override origin.
    .replace(/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/(compute\/(v1|beta)\/)?(?=projects\/)/, '');
  if (stripped.startsWith('projects/')) return stripped;
  return `projects/${project}/${stripped}`;
}

/** A strong etag for a resource's current content. */
export const etagOf = (value: unknown): string =>
  createHash('md5').update(JSON.stringify(value)).digest('base64');

/** The request body as an object, or a 400 in Google's wording. */
export function body(req: EmuRequest): Resource {
  if (req.json === undefined || req.json === null || typeof req.json !== 'object' || Array.isArray(req.json)) {
    throw new ApiError(400, 'Invalid JSON payload received. Expected an object.', 'INVALID_ARGUMENT');
  }
  return req.json as Resource;
}

export const RFC1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Compute's name rule, with compute's error text. */
export function checkComputeName(field: string, value: unknown): void {
  if (typeof value !== 'string' || !RFC1035.test(value)) {
    throw invalid(
      `Invalid value for field '${field}': '${String(value)}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
    );
  }
}

/** A required field, in the newer APIs' INVALID_ARGUMENT form. */
export function requireField(obj: Resource, field: string): void {
  if (obj[field] === undefined || obj[field] === null || obj[field] === '') {
    throw new ApiError(400, `Field '${field}' is required.`, 'INVALID_ARGUMENT');
  }
}

/** `updateMask=a,b.c` as a list of top-level fields. */
export function updateMask(req: EmuRequest): string[] {
  const mask = req.query.get('updateMask');
  return mask ? mask.split(',').map((f) => f.trim().split('.')[0]).filter(Boolean) : [];
}

/**
 * One page of a list, in the API's response shape. Order is by name, or
 * shuffled in strict mode; the page token is opaque to clients, which must
 * loop on it (strict mode also caps the page size). A `filter` (AIP-160,
 * or compute's superset of it) is applied first.
 */
export function page(items: Resource[], key: string, req: EmuRequest, sizeParam = 'pageSize'): Resource {
  const asked = Number(req.query.get(sizeParam) ?? 500) || 500;
  const keep = compileFilter(req.query.get('filter'));
  const { slice, next } = pageOf(items.filter(keep), {
    policy: req.listing, token: req.query.get('pageToken'), asked,
    nameOf: (r) => String(r.name ?? r.id),
  });
  const out: Resource = {};
  if (slice.length) out[key] = slice;
  if (next) out.nextPageToken = next;
  return out;
}

/**
 * 501 for fields a write sets to something new that the emulator does not
 * model: a 200 that drops them would tell the client the change was made
 * (as strict mode answers a query parameter nobody read). A field repeated
 * unchanged, or null, passes.
 */
export function refuseUnmodelled(
  input: Resource, current: Resource | undefined, modelled: string[], what: string,
): void {
  const extra = Object.keys(input).filter((f) => !modelled.includes(f) && input[f] !== null &&
    JSON.stringify(input[f]) !== JSON.stringify(current?.[f]));
  if (extra.length) {
    throw new ApiError(501, `The emulator does not model ${what} field(s) ${extra.join(', ')}.`, 'UNIMPLEMENTED');
  }
}
