import type { privateca_v1 } from 'googleapis/build/src/apis/privateca/v1.js';
import { GcpError } from '../gcp/errors.js';
import { sleep } from '../gcp/retry.js';
import { awaitOperation } from './lro.js';
import { lastSegment, orMissing, parentOf, requestId as newRequestId } from './common.js';
import { changeBinding, hasMember } from './iam-policy.js';
import { diffFields, hasLabelMark, type Desired, type ResourceHandler, type RunContext } from './types.js';

// Certificate Authority Service: the DEVOPS pool, its self-signed root (born
// STAGED, enabled by us), and the service agents' roles on the pool.
//
// A deleted CA or pool may keep its name for a while, so a re-created
// environment may need a new one: the pool then gets a generation suffix
// (`-g2`, ...) recorded in its labels, and is found again by label.

const MAX_GENERATION = 9;

/** The pool's actual name: found by label, or the base name. */
export function poolName(ctx: RunContext): string {
  const o = ctx.observed.get('ca-pool.swp');
  return o?.foundName ?? `projects/${ctx.config.projectId}/locations/${ctx.config.region}/caPools/${ctx.names.caPool}`;
}

const caName = (ctx: RunContext, d: Desired): string => `${poolName(ctx)}/certificateAuthorities/${lastSegment(d.name)}`;

export const caPool: ResourceHandler = {
  kind: 'ca-pool',
  async read(ctx, d) {
    const pca = await ctx.session.client('privateca');
    const parent = parentOf(d.name);
    const pools = { caPools: await listPools(ctx, parent) };
    // The list filter narrows; it does not decide: check label and name form here.
    const base = lastSegment(d.name);
    const mine = (pools.caPools ?? []).filter((p) => p.labels?.['dpgce-role'] === 'swp' &&
      p.labels?.['dpgce-env'] === ctx.names.ownerMark &&
      new RegExp(`^${base}(-g[2-9])?$`).test(lastSegment(p.name ?? '')));
    const found: any = mine.sort((a, b) => Number(b.labels?.['dpgce-generation'] ?? 1) - Number(a.labels?.['dpgce-generation'] ?? 1))[0] ??
      await orMissing(() => ctx.session.call({ method: 'privateca.caPools.get', resource: d.name },
        () => pca.projects.locations.caPools.get({ name: d.name })));
    if (!found) return { exists: false, owned: false };
    return { exists: true, owned: hasLabelMark(found.labels, ctx.names.ownerMark), actual: found, foundName: found.name };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [{ field: 'tier', immutable: true }]),
  async create(ctx, d) {
    const pca = await ctx.session.client('privateca');
    const parent = parentOf(d.name);
    for (let gen = 1; gen <= MAX_GENERATION; gen++) {
      const caPoolId = gen === 1 ? lastSegment(d.name) : `${lastSegment(d.name)}-g${gen}`;
      const requestBody = { ...d.spec, labels: { ...d.spec.labels, 'dpgce-generation': String(gen) } };
      try {
        // One id per call, kept across its retries: a retry replays, never repeats.
        const requestId = newRequestId();
        const op = await ctx.session.call({ method: 'privateca.caPools.create', resource: `${parent}/caPools/${caPoolId}` },
          () => pca.projects.locations.caPools.create({ parent, caPoolId, requestId, requestBody }));
        await awaitOperation(ctx, 'privateca', op, 'privateca.caPools.create', `${parent}/caPools/${caPoolId}`);
        ctx.observed.set(d.address, { exists: true, owned: true, foundName: `${parent}/caPools/${caPoolId}` });
        return;
      } catch (err) {
        if (!(err instanceof GcpError && err.alreadyExists)) throw err;
        // The name is taken: by our own create still running (an interrupted
        // run's), which shows up in a moment, or by a deleted pool, which
        // never does: then move to the next generation.
        const name = `${parent}/caPools/${caPoolId}`;
        const found = await poolAppears(ctx, name);
        if (found && !hasLabelMark(found.labels, ctx.names.ownerMark)) throw err;
        if (found) {
          ctx.observed.set(d.address, { exists: true, owned: true, foundName: name, actual: found });
          return;
        }
      }
    }
    throw new Error(`no free CA pool name after ${MAX_GENERATION} generations of ${d.name}; set CA_POOL in env.json`);
  },
  async delete(ctx, d, o) {
    const pca = await ctx.session.client('privateca');
    const name = o.foundName ?? d.name;
    const requestId = newRequestId();
    const op = await ctx.session.call({ method: 'privateca.caPools.delete', resource: name },
      () => pca.projects.locations.caPools.delete({ name, requestId }));
    await awaitOperation(ctx, 'privateca', op, 'privateca.caPools.delete', name);
  },
  describe: (_d, o) => `${o.actual?.tier ?? '?'} pool ${lastSegment(o.foundName ?? '')}`,
};

/** The pool, if it exists or appears within a few seconds. */
/** Every pool with our mark, page by page; none while the API is still off. */
async function listPools(ctx: RunContext, parent: string): Promise<privateca_v1.Schema$CaPool[]> {
  const pca = await ctx.session.client('privateca');
  const out: privateca_v1.Schema$CaPool[] = [];
  let pageToken: string | undefined;
  do {
    const page = await orMissing(() => ctx.session.call({ method: 'privateca.caPools.list', resource: parent },
      () => pca.projects.locations.caPools.list({ parent, pageToken, filter: `labels.dpgce-env="${ctx.names.ownerMark}"` })));
    out.push(...(page?.caPools ?? []));
    pageToken = page?.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

async function poolAppears(ctx: RunContext, name: string): Promise<Record<string, any> | undefined> {
  const pca = await ctx.session.client('privateca');
  for (let wait = 100; ; wait *= 2) {
    const p = await orMissing(() => ctx.session.call({ method: 'privateca.caPools.get', resource: name },
      () => pca.projects.locations.caPools.get({ name })));
    if (p || wait > 6400) return p ?? undefined;
    await sleep(wait);
  }
}

export const certificateAuthority: ResourceHandler = {
  kind: 'certificate-authority',
  async read(ctx, d) {
    const pca = await ctx.session.client('privateca');
    const name = caName(ctx, d);
    const actual: any = await orMissing(() => ctx.session.call({ method: 'privateca.certificateAuthorities.get', resource: name },
      () => pca.projects.locations.caPools.certificateAuthorities.get({ name })));
    if (!actual) return { exists: false, owned: false };
    // A CA deleted without skipGracePeriod keeps its name for 30 days.
    return { exists: true, owned: hasLabelMark(actual.labels, ctx.names.ownerMark), actual, foundName: name };
  },
  diff: (d, o) => [
    ...diffFields(d.spec, o.actual, [{ field: 'type', immutable: true }, { field: 'keySpec.algorithm', immutable: true }]),
    ...(o.actual?.state === 'ENABLED' ? [] : [{ field: 'state', from: o.actual?.state, to: 'ENABLED', immutable: false }]),
  ],
  async create(ctx, d) {
    const pca = await ctx.session.client('privateca');
    const parent = poolName(ctx);
    const certificateAuthorityId = lastSegment(d.name);
    const name = `${parent}/certificateAuthorities/${certificateAuthorityId}`;
    const requestId = newRequestId();
    const op = await ctx.session.call({ method: 'privateca.certificateAuthorities.create', resource: name },
      () => pca.projects.locations.caPools.certificateAuthorities.create({ parent, certificateAuthorityId,
        requestId, requestBody: d.spec }));
    await awaitOperation(ctx, 'privateca', op, 'privateca.certificateAuthorities.create', name);
    await enable(ctx, name);
  },
  async update(ctx, d, o) {
    const name = o.foundName ?? caName(ctx, d);
    if (o.actual?.state === 'DELETED') {
      const pca = await ctx.session.client('privateca');
      const requestId = newRequestId();
      const op = await ctx.session.call({ method: 'privateca.certificateAuthorities.undelete', resource: name },
        () => pca.projects.locations.caPools.certificateAuthorities.undelete({ name, requestBody: { requestId } }));
      await awaitOperation(ctx, 'privateca', op, 'privateca.certificateAuthorities.undelete', name);
    }
    await enable(ctx, name);
  },
  async delete(ctx, d, o) {
    // Disable, then delete for good: no grace period, and the certificates
    // it issued (the gateway's) are going too.
    const pca = await ctx.session.client('privateca');
    const name = o.foundName ?? caName(ctx, d);
    if (o.actual?.state === 'DELETED') return; // already on its way out
    if (o.actual?.state === 'ENABLED') {
      const requestId = newRequestId();
      const op = await ctx.session.call({ method: 'privateca.certificateAuthorities.disable', resource: name },
        () => pca.projects.locations.caPools.certificateAuthorities.disable({ name, requestBody: { requestId, ignoreDependentResources: false } }));
      await awaitOperation(ctx, 'privateca', op, 'privateca.certificateAuthorities.disable', name);
    }
    const requestId = newRequestId();
    const op = await ctx.session.call({ method: 'privateca.certificateAuthorities.delete', resource: name },
      () => pca.projects.locations.caPools.certificateAuthorities.delete({ name, skipGracePeriod: true,
        ignoreActiveCertificates: true, requestId }));
    await awaitOperation(ctx, 'privateca', op, 'privateca.certificateAuthorities.delete', name);
  },
  describe: (_d, o) => `${o.actual?.type ?? ''} root, ${o.actual?.state ?? '?'}, expires ` +
    `${o.actual?.caCertificateDescriptions?.[0]?.subjectDescription?.notAfterTime ?? o.actual?.expireTime ?? '?'}`,
};

async function enable(ctx: RunContext, name: string): Promise<void> {
  const pca = await ctx.session.client('privateca');
  const requestId = newRequestId();
  const op = await ctx.session.call({ method: 'privateca.certificateAuthorities.enable', resource: name },
    () => pca.projects.locations.caPools.certificateAuthorities.enable({ name, requestBody: { requestId } }));
  await awaitOperation(ctx, 'privateca', op, 'privateca.certificateAuthorities.enable', name);
}

/** `service-<number>@gcp-sa-<agent>.iam.gserviceaccount.com`. */
async function agentMember(ctx: RunContext, agent: string): Promise<string> {
  return `serviceAccount:service-${await ctx.projectNumber()}@gcp-sa-${agent}.iam.gserviceaccount.com`;
}

async function poolPolicy(ctx: RunContext) {
  const pca = await ctx.session.client('privateca');
  const resource = poolName(ctx);
  return {
    get: () => ctx.session.call({ method: 'privateca.caPools.getIamPolicy', resource },
      () => pca.projects.locations.caPools.getIamPolicy({ resource, 'options.requestedPolicyVersion': 3 })),
    set: (policy: object) => ctx.session.call({ method: 'privateca.caPools.setIamPolicy', resource },
      () => pca.projects.locations.caPools.setIamPolicy({ resource, requestBody: { policy } })),
  };
}

export const caPoolIam: ResourceHandler = {
  kind: 'ca-pool-iam',
  async read(ctx, d) {
    const { get } = await poolPolicy(ctx);
    // A grant on someone else's pool is theirs, even if it names our agents.
    const pool = ctx.observed.get('ca-pool.swp');
    return { exists: hasMember(await get(), d.spec.role, await agentMember(ctx, d.spec.agent)), owned: pool?.owned ?? false };
  },
  diff: () => [],
  async create(ctx, d) {
    // The service agent exists only once asked for; creating it is idempotent.
    const beta = await ctx.session.client('serviceusageBeta');
    const parent = `projects/${ctx.config.projectId}/services/${d.spec.agent}.googleapis.com`;
    const op = await ctx.session.call({ method: 'serviceusage.services.generateServiceIdentity', resource: parent },
      () => beta.services.generateServiceIdentity({ parent }));
    await awaitOperation(ctx, 'serviceusage', op, 'serviceusage.services.generateServiceIdentity', parent);
    const { get, set } = await poolPolicy(ctx);
    await changeBinding(get, set, d.spec.role, await agentMember(ctx, d.spec.agent), true);
  },
  async delete(ctx, d) {
    const { get, set } = await poolPolicy(ctx);
    await changeBinding(get, set, d.spec.role, await agentMember(ctx, d.spec.agent), false);
  },
  describe: (d) => `${d.spec.role} for the ${d.spec.agent} service agent`,
};
