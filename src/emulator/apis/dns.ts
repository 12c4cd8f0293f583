import { randomInt } from 'node:crypto';
import { numericId } from '../operations.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, computeRef, nowIso, page, refuseUnmodelled, RFC1035 } from './common.js';
import { registerRecordSets, recordChange } from './dns-changes.js';
import {
  apexRecords,
  dnsError,
  invalidValue,
  isApex,
  recordsOf,
  rrsetKey,
  validDnsName,
  zoneKey,
} from './dns-records.js';

// Cloud DNS v1 managed zones. Create is synchronous and seeds the apex NS
// and SOA record sets (change "0"); patch and update answer with a
// `dns#operation`; a zone that still holds other record sets cannot be
// deleted (400 containerNotEmpty). Private zones name existing VPC networks.
// Record sets and changes are in dns-changes.ts.

const BASE = '/dns/v1/projects/{project}/managedZones';
const MUTABLE = ['description', 'labels', 'privateVisibilityConfig', 'cloudLoggingConfig'];
const IMMUTABLE = ['name', 'dnsName', 'visibility'];
/** Set by Cloud DNS; a client may send them back unchanged. */
const SERVER = ['kind', 'id', 'nameServers', 'creationTime'];

export function registerDns(r: Router): void {
  r.add({ api: 'dns', method: 'POST', path: BASE }, (req, ctx) => create(req, ctx));
  r.add({ api: 'dns', method: 'GET', path: BASE }, (req, ctx) => {
    const dnsName = req.query.get('dnsName');
    const zones = ctx.store
      .list(`projects/${req.params.project}/managedZones`)
      .filter((z) => !dnsName || z.dnsName === dnsName || z.dnsName === `${dnsName}.`);
    return {
      kind: 'dns#managedZonesListResponse',
      ...page(zones, 'managedZones', req, 'maxResults'),
    };
  });
  r.add({ api: 'dns', method: 'GET', path: `${BASE}/{zone}` }, (req, ctx) => findZone(req, ctx)[1]);
  r.add({ api: 'dns', method: 'PATCH', path: `${BASE}/{zone}` }, (req, ctx) =>
    update(req, ctx, true),
  );
  r.add({ api: 'dns', method: 'PUT', path: `${BASE}/{zone}` }, (req, ctx) =>
    update(req, ctx, false),
  );
  r.add({ api: 'dns', method: 'DELETE', path: `${BASE}/{zone}` }, (req, ctx) => remove(req, ctx));
  r.add({ api: 'dns', method: 'GET', path: `${BASE}/{zone}/operations` }, (req, ctx) => {
    const [key] = findZone(req, ctx);
    const operations = ctx.store.list(`${key}/operations`);
    return {
      kind: 'dns#managedZoneOperationsListResponse',
      ...page(operations, 'operations', req, 'maxResults'),
    };
  });
  r.add(
    { api: 'dns', method: 'GET', path: `${BASE}/{zone}/operations/{operation}` },
    (req, ctx) => {
      const [key] = findZone(req, ctx);
      const op = ctx.store.get(`${key}/operations/${req.params.operation}`);
      if (!op) throw dnsError(404, 'notFound', `operation "${req.params.operation}" not found`);
      return op;
    },
  );
  registerRecordSets(r, findZone);
}

/** The zone in the path, by name or numeric id, or Cloud DNS's 404. */
export function findZone(req: EmuRequest, ctx: EmuContext): [string, Resource] {
  const { project, zone } = req.params;
  const byName = ctx.store.get(zoneKey(project, zone));
  if (byName) return [zoneKey(project, zone), byName];
  const byId = ctx.store.list(`projects/${project}/managedZones`).find((z) => z.id === zone);
  if (byId) return [zoneKey(project, byId.name), byId];
  throw dnsError(
    404,
    'notFound',
    `managedZone "projects/${project}/managedZones/${zone}" not found`,
  );
}

function create(req: EmuRequest, ctx: EmuContext): Resource {
  const project = req.params.project;
  const input = body(req);
  // forwardingConfig, peeringConfig and the like change resolution; they are not modelled.
  refuseUnmodelled(input, undefined, [...MUTABLE, ...IMMUTABLE, ...SERVER], 'managedZones.create');
  if (typeof input.name !== 'string' || !RFC1035.test(input.name))
    throw invalidValue('entity.managedZone.name', input.name);
  if (!validDnsName(input.dnsName)) throw invalidValue('entity.managedZone.dnsName', input.dnsName);
  const key = zoneKey(project, input.name);
  if (ctx.store.get(key)) {
    throw dnsError(
      409,
      'alreadyExists',
      `The resource 'entity.managedZone' named '${input.name}' already exists`,
    );
  }
  const visibility = input.visibility ?? 'public';
  if (visibility !== 'public' && visibility !== 'private')
    throw invalidValue('entity.managedZone.visibility', visibility);

  const zone: Resource = {
    kind: 'dns#managedZone',
    name: input.name,
    dnsName: input.dnsName.toLowerCase(),
    description: checkDescription(input.description),
    id: numericId(),
    nameServers:
      visibility === 'private' ? ['ns-gcp-private.googledomains.com.'] : publicNameServers(),
    creationTime: nowIso(),
    visibility,
    cloudLoggingConfig: { kind: 'dns#managedZoneCloudLoggingConfig', ...input.cloudLoggingConfig },
  };
  if (input.labels) zone.labels = checkLabels(input.labels);
  const visible = visibilityConfig(ctx, project, visibility, input.privateVisibilityConfig);
  if (visible) zone.privateVisibilityConfig = visible;

  ctx.store.put(key, zone);
  const apex = apexRecords(zone);
  for (const rec of apex) ctx.store.put(rrsetKey(key, rec.name, rec.type), rec);
  recordChange(ctx, key, apex, [], 'done');
  return zone;
}

function update(req: EmuRequest, ctx: EmuContext, merge: boolean): Resource {
  const [key, current] = findZone(req, ctx);
  const input = body(req);
  refuseUnmodelled(input, current, [...MUTABLE, ...IMMUTABLE, ...SERVER], 'managedZones.patch/update');
  for (const f of IMMUTABLE) {
    if (input[f] !== undefined && input[f] !== current[f])
      throw invalidValue(`entity.managedZone.${f}`, input[f]);
  }
  const next: Resource = { ...current };
  if (!merge) for (const f of MUTABLE) delete next[f];
  for (const f of MUTABLE) if (input[f] !== undefined) next[f] = input[f];
  next.description = checkDescription(next.description);
  if (next.labels) next.labels = checkLabels(next.labels);
  next.cloudLoggingConfig = {
    kind: 'dns#managedZoneCloudLoggingConfig',
    ...next.cloudLoggingConfig,
  };
  const visible = visibilityConfig(
    ctx,
    req.params.project,
    current.visibility,
    next.privateVisibilityConfig,
  );
  if (visible) next.privateVisibilityConfig = visible;
  else delete next.privateVisibilityConfig;
  ctx.store.put(key, next);

  const op: Resource = {
    kind: 'dns#operation',
    id: String(ctx.store.list(`${key}/operations`).length + 1),
    startTime: nowIso(),
    status: 'done',
    type: 'update',
    user: 'emulator@dpgce.local',
    zoneContext: { oldValue: current, newValue: next },
  };
  ctx.store.put(`${key}/operations/${op.id}`, op);
  return op;
}

function remove(req: EmuRequest, ctx: EmuContext): Resource {
  const [key, zone] = findZone(req, ctx);
  if (recordsOf(ctx, key).some((r) => !isApex(r, zone))) {
    throw dnsError(
      400,
      'containerNotEmpty',
      `The resource named '${zone.name}' cannot be deleted because it contains one or more 'resource records'.`,
    );
  }
  for (const [k] of ctx.store.entries(`${key}/`)) ctx.store.delete(k);
  ctx.store.delete(key);
  return {};
}

/** privateVisibilityConfig: only on private zones, each network an existing VPC network. */
function visibilityConfig(
  ctx: EmuContext,
  project: string,
  visibility: string,
  config: Resource | undefined,
): Resource | undefined {
  const networks: Resource[] = config?.networks ?? [];
  if (visibility === 'public') {
    if (networks.length)
      throw invalidValue(
        'entity.managedZone.privateVisibilityConfig',
        'networks are for private zones',
      );
    return config ? { kind: 'dns#managedZonePrivateVisibilityConfig' } : undefined;
  }
  return {
    kind: 'dns#managedZonePrivateVisibilityConfig',
    networks: networks.map((n, i) => {
      const field = `entity.managedZone.privateVisibilityConfig.networks[${i}].networkUrl`;
      const name = typeof n?.networkUrl === 'string' ? computeRef(n.networkUrl, project) : '';
      if (!/^projects\/[^/]+\/global\/networks\/[^/]+$/.test(name) || !ctx.store.get(name)) {
        throw invalidValue(field, n?.networkUrl);
      }
      return { kind: 'dns#managedZonePrivateVisibilityConfigNetwork', networkUrl: n.networkUrl };
    }),
  };
}

function checkDescription(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > 1024)
    throw invalidValue('entity.managedZone.description', value);
  return value;
}

function checkLabels(labels: Resource): Resource {
  for (const [k, v] of Object.entries(labels)) {
    if (
      !/^[a-z][a-z0-9_-]{0,62}$/.test(k) ||
      typeof v !== 'string' ||
      !/^[a-z0-9_-]{0,63}$/.test(v)
    ) {
      throw invalidValue(`entity.managedZone.labels.${k}`, v);
    }
  }
  return labels;
}

/** Four name servers of one Cloud DNS shard: `ns-cloud-<x>1..4.googledomains.com.` */
function publicNameServers(): string[] {
  const shard = 'abcde'[randomInt(5)];
  return [1, 2, 3, 4].map((i) => `ns-cloud-${shard}${i}.googledomains.com.`);
}
