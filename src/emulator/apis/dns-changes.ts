import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { pageOf } from '../strict.js';
import { body, nowIso, page } from './common.js';
import {
  bumpSerial,
  checkCnameAlone,
  checkRecordSet,
  dnsError,
  isApex,
  label,
  recordsOf,
  rrsetKey,
  sameData,
} from './dns-records.js';

// Cloud DNS record sets (`rrsets`, as gcloud's record-sets create/update/
// delete use them) and `changes` (Terraform's and `transaction execute`'s
// path): deletions must match the stored data exactly, additions must not
// exist once the deletions are applied, the apex SOA and NS stay. Every
// mutation is kept as a Change and bumps the SOA serial. A created Change
// answers "pending" and reads "done" afterwards, so clients really wait.

type FindZone = (req: EmuRequest, ctx: EmuContext) => [string, Resource];

export function registerRecordSets(r: Router, findZone: FindZone): void {
  const base = '/dns/v1/projects/{project}/managedZones/{zone}';

  r.add({ api: 'dns', method: 'POST', path: `${base}/rrsets` }, (req, ctx) => {
    const [key, zone] = findZone(req, ctx);
    const rec = checkRecordSet(body(req), zone, 'entity.rrset');
    if (ctx.store.get(rrsetKey(key, rec.name, rec.type))) {
      throw dnsError(
        409,
        'alreadyExists',
        `The resource 'entity.rrset' named '${label(rec)}' already exists`,
      );
    }
    checkCnameAlone(recordsOf(ctx, key), rec, 'entity.rrset');
    apply(ctx, key, zone, [rec], []);
    return rec;
  });
  r.add({ api: 'dns', method: 'GET', path: `${base}/rrsets` }, (req, ctx) => {
    const [key] = findZone(req, ctx);
    const name = req.query.get('name');
    const type = req.query.get('type');
    if (type && !name)
      throw dnsError(
        400,
        'invalid',
        "Invalid value for 'parameters.type': the type filter needs a name.",
      );
    const rrsets = recordsOf(ctx, key).filter(
      (rec) => (!name || rec.name === name.toLowerCase()) && (!type || rec.type === type),
    );
    return {
      kind: 'dns#resourceRecordSetsListResponse',
      ...page(rrsets, 'rrsets', req, 'maxResults'),
    };
  });
  r.add(
    { api: 'dns', method: 'GET', path: `${base}/rrsets/{name}/{type}` },
    (req, ctx) => existing(req, ctx, findZone)[1],
  );
  r.add({ api: 'dns', method: 'PATCH', path: `${base}/rrsets/{name}/{type}` }, (req, ctx) => {
    const [key, current, zone] = existing(req, ctx, findZone);
    const input = body(req);
    const next = checkRecordSet(
      { ...current, ...input, name: current.name, type: current.type },
      zone,
      'entity.rrset',
    );
    apply(ctx, key, zone, [next], [current]);
    return next;
  });
  r.add({ api: 'dns', method: 'DELETE', path: `${base}/rrsets/{name}/{type}` }, (req, ctx) => {
    const [key, current, zone] = existing(req, ctx, findZone);
    if (isApex(current, zone)) throw apexError(current, 'entity.rrset');
    apply(ctx, key, zone, [], [current]);
    return {};
  });

  r.add({ api: 'dns', method: 'POST', path: `${base}/changes` }, (req, ctx) =>
    createChange(req, ctx, findZone),
  );
  r.add({ api: 'dns', method: 'GET', path: `${base}/changes` }, (req, ctx) => {
    const [key] = findZone(req, ctx);
    const changes = ctx.store.list(`${key}/changes`).sort((a, b) => Number(a.id) - Number(b.id));
    if (req.query.get('sortOrder') === 'descending') changes.reverse();
    return { kind: 'dns#changesListResponse', ...pageInOrder(changes, req) };
  });
  r.add({ api: 'dns', method: 'GET', path: `${base}/changes/{change}` }, (req, ctx) => {
    const [key] = findZone(req, ctx);
    const change = ctx.store.get(`${key}/changes/${req.params.change}`);
    if (!change)
      throw dnsError(
        404,
        'notFound',
        `The 'parameters.changeId' resource named '${req.params.change}' does not exist.`,
      );
    return change;
  });
}

function createChange(req: EmuRequest, ctx: EmuContext, findZone: FindZone): Resource {
  const [key, zone] = findZone(req, ctx);
  const input = req.json;
  if (!input || typeof input !== 'object') {
    throw dnsError(400, 'required', "The 'entity.change' parameter is required but was missing.");
  }
  const deletions: Resource[] = (input.deletions ?? []).map((d: Resource, i: number) =>
    checkRecordSet(d, zone, `entity.change.deletions[${i}]`),
  );
  const additions: Resource[] = (input.additions ?? []).map((a: Resource, i: number) =>
    checkRecordSet(a, zone, `entity.change.additions[${i}]`),
  );
  if (!deletions.length && !additions.length) {
    throw dnsError(400, 'required', "The 'entity.change' parameter is required but was missing.");
  }

  // Deletions first: each must exist and match exactly.
  const after = new Map(recordsOf(ctx, key).map((rec) => [label(rec), rec]));
  deletions.forEach((d, i) => {
    const stored = after.get(label(d));
    if (!stored) {
      throw dnsError(
        404,
        'notFound',
        `The 'entity.change.deletions[${i}]' resource named '${label(d)}' does not exist.`,
      );
    }
    if (!sameData(stored, d)) {
      throw dnsError(
        412,
        'conditionNotMet',
        `Precondition not met for 'entity.change.deletions[${i}]'`,
      );
    }
    if (isApex(d, zone) && !additions.some((a) => label(a) === label(d))) {
      throw apexError(d, `entity.change.deletions[${i}]`);
    }
    after.delete(label(d));
  });
  // Then additions: none may exist afterwards, and CNAMEs stand alone.
  for (const a of additions) {
    if (after.has(label(a))) {
      throw dnsError(
        409,
        'alreadyExists',
        `The resource 'entity.change.additions[${a.name}][${a.type}]' named '${label(a)}' already exists`,
      );
    }
    checkCnameAlone([...after.values()], a, 'entity.change.additions');
    after.set(label(a), a);
  }

  const change = apply(ctx, key, zone, additions, deletions);
  return ctx.ops.timing.minPolls > 0 ? { ...change, status: 'pending' } : change;
}

/** Stores the result of a change, bumps the serial, and keeps the Change. */
function apply(
  ctx: EmuContext,
  key: string,
  zone: Resource,
  additions: Resource[],
  deletions: Resource[],
): Resource {
  for (const d of deletions) ctx.store.delete(rrsetKey(key, d.name, d.type));
  for (const a of additions) ctx.store.put(rrsetKey(key, a.name, a.type), a);
  if (!additions.concat(deletions).some((r) => r.type === 'SOA' && r.name === zone.dnsName))
    bumpSerial(ctx, zone, key);
  return recordChange(ctx, key, additions, deletions, 'done');
}

/** Keeps a Change under the zone; ids count up from "0" (the zone's own creation). */
export function recordChange(
  ctx: EmuContext,
  key: string,
  additions: Resource[],
  deletions: Resource[],
  status: string,
): Resource {
  const change: Resource = {
    kind: 'dns#change',
    id: String(ctx.store.list(`${key}/changes`).length),
    startTime: nowIso(),
    status,
  };
  if (additions.length) change.additions = additions;
  if (deletions.length) change.deletions = deletions;
  ctx.store.put(`${key}/changes/${change.id}`, change);
  return change;
}

function existing(
  req: EmuRequest,
  ctx: EmuContext,
  findZone: FindZone,
): [string, Resource, Resource] {
  const [key, zone] = findZone(req, ctx);
  const name = req.params.name.toLowerCase();
  const rec = ctx.store.get(rrsetKey(key, name.endsWith('.') ? name : `${name}.`, req.params.type));
  if (!rec) {
    throw dnsError(
      404,
      'notFound',
      `The 'parameters.name' resource named '${req.params.name} (${req.params.type})' does not exist.`,
    );
  }
  return [key, rec, zone];
}

const apexError = (rec: Resource, field: string) =>
  dnsError(
    400,
    'invalid',
    `Invalid value for '${field}': '${label(rec)}'. The zone's apex ${rec.type} record set cannot be deleted.`,
  );

/** Pages a list whose order matters (Change ids), unlike `page`, which sorts by name. */
function pageInOrder(items: Resource[], req: EmuRequest): Resource {
  const asked = Number(req.query.get('maxResults') ?? 500) || 500;
  const { slice, next } = pageOf(items, {
    policy: req.listing, token: req.query.get('pageToken'), asked, nameOf: (r) => r.id, ordered: true,
  });
  const out: Resource = {};
  if (slice.length) out.changes = slice;
  if (next) out.nextPageToken = next;
  return out;
}
