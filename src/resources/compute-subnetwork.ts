import { computeMutation } from './compute-network.js';
import { computePath, lastSegment, orMissing } from './common.js';
import { diffFields, hasDescriptionMark, hasLabelMark, type ResourceHandler, type RunContext } from './types.js';

// Regional compute resources: subnetworks (including the shared proxy-only
// subnet), the default internet route, and the Cloud Router that the Secure
// Web Proxy creates for its own NAT.

async function listAll<T>(page: (token?: string) => Promise<{ items?: T[] | null; nextPageToken?: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const res = await page(token);
    out.push(...(res.items ?? []));
    token = res.nextPageToken ?? undefined;
  } while (token);
  return out;
}

export const subnetwork: ResourceHandler = {
  kind: 'subnetwork',
  async read(ctx, d) {
    const s = ctx.session;
    const compute = await s.client('compute');
    const project = ctx.config.projectId;
    const region = ctx.config.region;
    const actual = await orMissing(() => s.call({ method: 'compute.subnetworks.get', resource: d.name },
      () => compute.subnetworks.get({ project, region, subnetwork: d.spec.name })));
    const sameNetwork = computePath(actual?.network) === d.spec.network;
    if (actual && (sameNetwork || d.spec.purpose !== 'REGIONAL_MANAGED_PROXY')) {
      return { exists: true, owned: hasDescriptionMark(actual.description, ctx.names.ownerMark), actual: actual as any };
    }
    if (d.spec.purpose !== 'REGIONAL_MANAGED_PROXY') return { exists: false, owned: false };

    // Only one ACTIVE proxy-only subnet may exist per network and region:
    // if someone else made it, the gateway uses that one.
    const all = await listAll((pageToken) => s.call({ method: 'compute.subnetworks.list', resource: `projects/${project}/regions/${region}` },
      () => compute.subnetworks.list({ project, region, pageToken })));
    const shared = all.find((x) => x.purpose === 'REGIONAL_MANAGED_PROXY' && x.role === 'ACTIVE' &&
      computePath(x.network) === d.spec.network);
    return shared
      ? { exists: true, owned: false, actual: shared as any, foundName: `projects/${project}/regions/${region}/subnetworks/${shared.name}` }
      : { exists: false, owned: false };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'network', immutable: true, norm: computePath },
    { field: 'ipCidrRange', immutable: true },
    { field: 'purpose', immutable: true, norm: (v) => v ?? 'PRIVATE' },
    { field: 'role' },
    { field: 'privateIpGoogleAccess', norm: (v) => v ?? false },
  ]),
  async create(ctx, d) {
    const { region, ...body } = d.spec;
    await computeMutation(ctx.session, ctx.config.projectId, 'subnetworks.insert', d.name,
      (c, requestId) => c.subnetworks.insert({ project: ctx.config.projectId, region, requestId, requestBody: body }));
  },
  async update(ctx, d, _o, diffs) {
    if (!diffs.some((x) => x.field === 'privateIpGoogleAccess')) return;
    await computeMutation(ctx.session, ctx.config.projectId, 'subnetworks.setPrivateIpGoogleAccess', d.name,
      (c, requestId) => c.subnetworks.setPrivateIpGoogleAccess({ project: ctx.config.projectId, region: d.spec.region,
        subnetwork: d.spec.name, requestId, requestBody: { privateIpGoogleAccess: d.spec.privateIpGoogleAccess } }));
  },
  async delete(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'subnetworks.delete', d.name,
      (c, requestId) => c.subnetworks.delete({ project: ctx.config.projectId, region: d.spec.region, subnetwork: d.spec.name, requestId }));
  },
  describe: (_d, o) => `${o.actual?.ipCidrRange ?? '?'}, ${o.actual?.purpose ?? 'PRIVATE'}` +
    (o.actual?.purpose === 'REGIONAL_MANAGED_PROXY' ? ` ${o.actual?.role}` : `, Private Google Access ${o.actual?.privateIpGoogleAccess ? 'on' : 'OFF'}`),
};

// Only an untagged route serves every instance (a tagged one serves only the
// instances with its tags), so only an untagged one stands for ours.
const isDefaultInternet = (r: { destRange?: string | null; nextHopGateway?: string | null; tags?: string[] | null }): boolean =>
  r.destRange === '0.0.0.0/0' && !!r.nextHopGateway?.endsWith('/global/gateways/default-internet-gateway') &&
  !r.tags?.length;

export const route: ResourceHandler = {
  kind: 'route',
  async read(ctx, d) {
    const compute = await ctx.session.client('compute');
    const project = ctx.config.projectId;
    const routes = await listAll((pageToken) => ctx.session.call({ method: 'compute.routes.list', resource: `projects/${project}/global/routes` },
      () => compute.routes.list({ project, pageToken, filter: 'destRange = "0.0.0.0/0"' })));
    const found = routes.filter((r) => computePath(r.network) === d.spec.network && isDefaultInternet(r));
    const ours = found.find((r) => r.name === d.spec.name && hasDescriptionMark(r.description, ctx.names.ownerMark));
    const any = ours ?? found[0];
    return any
      ? { exists: true, owned: !!ours, actual: any as any, foundName: `projects/${project}/global/routes/${any.name}` }
      : { exists: false, owned: false };
  },
  diff: () => [],
  async create(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'routes.insert', d.name,
      (c, requestId) => c.routes.insert({ project: ctx.config.projectId, requestId, requestBody: d.spec }));
  },
  async delete(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'routes.delete', d.name,
      (c, requestId) => c.routes.delete({ project: ctx.config.projectId, route: d.spec.name, requestId }));
  },
  describe: (_d, o) => `0.0.0.0/0 -> default-internet-gateway (${lastSegment(o.foundName ?? '')})`,
};

/** The Secure Web Proxy's own router: observed, deleted after the last gateway. */
export const router: ResourceHandler = {
  kind: 'router',
  async read(ctx, d) {
    const s = ctx.session;
    const compute = await s.client('compute');
    const { projectId: project, region } = ctx.config;
    const routers = await listAll((pageToken) => s.call({ method: 'compute.routers.list', resource: `projects/${project}/regions/${region}` },
      () => compute.routers.list({ project, region, pageToken })));
    const found = routers.find((r) => r.name?.startsWith('swg-autogen-router-') && computePath(r.network) === d.spec.network);
    if (!found) return { exists: false, owned: false };
    const others = await otherGateways(ctx, d.spec.network);
    const networkOwned = ctx.observed.get('network.main')?.owned ?? false;
    return { exists: true, owned: networkOwned && others === 0,
      actual: { ...found, otherGateways: others }, foundName: `projects/${project}/regions/${region}/routers/${found.name}` };
  },
  diff: () => [],
  async create() {
    throw new Error('the Secure Web Proxy creates its router itself; dpgce never creates it (this is a bug)');
  },
  async delete(ctx, _d, o) {
    const name = lastSegment(o.foundName ?? '');
    // Right after the gateway goes, the router may still be "not ready".
    await computeMutation(ctx.session, ctx.config.projectId, 'routers.delete', o.foundName ?? '',
      (c, requestId) => c.routers.delete({ project: ctx.config.projectId, region: ctx.config.region, router: name, requestId }));
  },
  describe: (_d, o) => `created by the Secure Web Proxy; ${o.actual?.otherGateways ?? 0} other gateway(s) use it`,
};

/**
 * Secure Web Proxy gateways in this network and region other than ours. A
 * gateway with our name but without our mark is someone else's, so it counts.
 */
async function otherGateways(ctx: RunContext, network: string): Promise<number> {
  const ns = await ctx.session.client('networkservices');
  const parent = `projects/${ctx.config.projectId}/locations/${ctx.config.region}`;
  // Judged from the listing itself: the gateway's own read may not have run yet.
  const ours = `${parent}/gateways/${ctx.names.gateway}`;
  let count = 0;
  let pageToken: string | undefined;
  do {
    const res = await ctx.session.call({ method: 'networkservices.gateways.list', resource: parent },
      () => ns.projects.locations.gateways.list({ parent, pageToken }));
    count += (res.gateways ?? []).filter((g) => g.type === 'SECURE_WEB_GATEWAY' &&
      !(g.name === ours && hasLabelMark(g.labels, ctx.names.ownerMark)) &&
      computePath(g.network) === network).length;
    pageToken = res.nextPageToken ?? undefined;
  } while (pageToken);
  return count;
}
