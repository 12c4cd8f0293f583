import { alreadyExists, notFound } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, nowIso, page } from './common.js';
import { applyMask, createId, existsOrPending, listIn, maskFields, startOp, type LroApi } from './resource-kit.js';

// The shape every Network Security v1 collection emulated here shares
// (recorded: networksecurity-urllist): create with `?<kind>Id=`, get, list,
// patch with updateMask, delete; every mutation an LRO whose response is the
// stored resource (Empty for delete), 404 `Resource '<name>' was not found`.
// No method has a requestId (gcp-api-facts §18.2).

export const NETSEC: LroApi = {
  api: 'networksecurity',
  metadataType: 'type.googleapis.com/google.cloud.networksecurity.v1.OperationMetadata',
  typePrefix: 'type.googleapis.com/google.cloud.networksecurity.v1.',
};

export const V1 = '/v1/projects/{project}/locations/{location}';

export interface CollectionSpec {
  /** Route of the parent: `${V1}` or `${V1}/gatewaySecurityPolicies/{policy}`. */
  parentPath: string;
  collection: string;
  idParam: string;
  idPattern: RegExp;
  idRule: string;
  /** Response type short name (`UrlList`). */
  kind: string;
  /** The resource's own fields from a create body (validated); name and times are added. */
  build(req: EmuRequest, ctx: EmuContext, name: string, b: Resource): Resource;
  updatable: string[];
  immutable?: string[];
  /** Re-validates a patched resource (in stored form). */
  check?(req: EmuRequest, ctx: EmuContext, next: Resource, current: Resource): Resource;
  /** Throws when the resource may not be deleted now. */
  beforeDelete?(req: EmuRequest, ctx: EmuContext, current: Resource): void;
  /** Turns patch body fields into stored form before the mask is applied. */
  normalise?(req: EmuRequest, ctx: EmuContext, b: Resource): Resource;
}

/** `projects/P/locations/L[/gatewaySecurityPolicies/G]` for a matched route. */
function parentName(spec: CollectionSpec, params: Record<string, string>): string {
  return spec.parentPath.replace(/^\/v1\//, '').replace(/\{([^}]+)\}/g, (_, k: string) => params[k]);
}

const itemParam = (spec: CollectionSpec): string => spec.collection.replace(/ies$/, 'y').replace(/s$/, '');

export function registerCollection(r: Router, spec: CollectionSpec): void {
  const item = itemParam(spec);
  const collectionPath = `${spec.parentPath}/${spec.collection}`;
  const onePath = `${collectionPath}/{${item}}`;
  const nameOf = (req: EmuRequest): string => `${parentName(spec, req.params)}/${spec.collection}/${req.params[item]}`;
  const mustGet = (ctx: EmuContext, name: string): Resource => {
    const found = ctx.store.get(name);
    if (!found) throw notFound(name);
    return found;
  };
  const parentMustExist = (ctx: EmuContext, parent: string): void => {
    if (parent.split('/').length > 4) mustGet(ctx, parent);
  };

  r.add({ api: 'networksecurity', method: 'POST', path: collectionPath }, (req, ctx) => {
    const parent = parentName(spec, req.params);
    parentMustExist(ctx, parent);
    const id = createId(req, spec.idParam, spec.idPattern, spec.idRule);
    const name = `${parent}/${spec.collection}/${id}`;
    if (existsOrPending(ctx, name)) throw alreadyExists(spec.kind.charAt(0).toLowerCase() + spec.kind.slice(1), name);
    const now = nowIso();
    const value = { name, ...spec.build(req, ctx, name, body(req)), createTime: now, updateTime: now };
    return startOp(ctx, NETSEC, { target: name, verb: 'create', collection: spec.collection,
      effects: [{ put: name, value }], responseKind: spec.kind });
  });

  r.add({ api: 'networksecurity', method: 'GET', path: onePath }, (req, ctx) => mustGet(ctx, nameOf(req)));

  r.add({ api: 'networksecurity', method: 'GET', path: collectionPath }, (req, ctx) => {
    const parent = parentName(spec, req.params);
    parentMustExist(ctx, parent);
    const items = spec.parentPath === V1
      ? listIn(ctx, req.params.project, req.params.location, spec.collection)
      : ctx.store.list(`${parent}/${spec.collection}`);
    return page(items, spec.collection === 'rules' ? 'gatewaySecurityPolicyRules' : spec.collection, req);
  });

  r.add({ api: 'networksecurity', method: 'PATCH', path: onePath }, (req, ctx) => {
    const name = nameOf(req);
    const current = mustGet(ctx, name);
    const b = spec.normalise ? spec.normalise(req, ctx, body(req)) : body(req);
    let next = applyMask(current, b, maskFields(req, NETSEC.api), {
      updatable: spec.updatable, immutable: spec.immutable, outputOnly: ['createTime', 'updateTime'],
    });
    if (spec.check) next = spec.check(req, ctx, next, current);
    next.updateTime = nowIso();
    return startOp(ctx, NETSEC, { target: name, verb: 'update', collection: spec.collection,
      effects: [{ put: name, value: next }], responseKind: spec.kind });
  });

  r.add({ api: 'networksecurity', method: 'DELETE', path: onePath }, (req, ctx) => {
    const name = nameOf(req);
    const current = mustGet(ctx, name);
    spec.beforeDelete?.(req, ctx, current);
    return startOp(ctx, NETSEC, { target: name, verb: 'delete', collection: spec.collection, effects: [{ delete: name }] });
  });
}
