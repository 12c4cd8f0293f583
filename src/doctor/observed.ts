import type { CallSite } from '../gcp/errors.js';
import { CLUSTER_ADDRESS } from '../plan/graph-cluster.js';
import { orMissing } from '../resources/common.js';
import type { Desired } from '../resources/types.js';
import type { DoctorContext } from './check.js';

// What the doctor groups share: the desired graph and the state `prepare`
// already read (so a check costs no request when it looks at a resource the
// environment declares), and one way to read what it does not hold.

/** The desired resource at an address, if env.json declares it. */
export function desired(dc: DoctorContext, address: string): Desired | undefined {
  return dc.p.graph.find((d) => d.address === address);
}

/** The resource as the cloud returned it, when it exists. */
export function found(dc: DoctorContext, address: string): Record<string, any> | undefined {
  const o = dc.p.ctx.observed.get(address);
  return o?.exists ? o.actual : undefined;
}

/** Whether the observed resource carries this environment's mark. */
export const owned = (dc: DoctorContext, address: string): boolean =>
  dc.p.ctx.observed.get(address)?.owned ?? false;

/**
 * A resource by its full name: what `prepare` read when the name is the one
 * at `address`, else one read through the session (404 = undefined).
 */
export async function resource<T = Record<string, any>>(
  dc: DoctorContext,
  address: string,
  name: string,
  site: CallSite,
  read: () => Promise<{ data: T }>,
): Promise<T | undefined> {
  const known = [desired(dc, address)?.name, dc.p.ctx.observed.get(address)?.foundName];
  if (known.some((k) => sameResource(k, name))) {
    return found(dc, address) as T | undefined;
  }
  return orMissing(() => dc.p.session.call(site, read));
}

/**
 * Whether two references name one resource: APIs give a project by id or by
 * number, so only what follows `projects/<project>/` is compared.
 */
export function sameResource(a: string | undefined | null, b: string | undefined | null): boolean {
  const rest = (v: string | undefined | null): string => String(v ?? '').replace(/^.*?projects\/[^/]+\//, '');
  return !!a && !!b && rest(a) === rest(b);
}

/** A read that may find nothing: 404 (or the service off) is undefined. */
export function readOrMissing<T>(
  dc: DoctorContext,
  site: CallSite,
  read: () => Promise<{ data: T }>,
): Promise<T | undefined> {
  return orMissing(() => dc.p.session.call(site, read));
}

const casRead = new WeakMap<DoctorContext, Map<string, Promise<Record<string, any>[]>>>();

/** The CAs of a pool, every state, read once per doctor run whichever group asks first. */
export function poolCas(dc: DoctorContext, pool: string): Promise<Record<string, any>[]> {
  let byPool = casRead.get(dc);
  if (!byPool) casRead.set(dc, (byPool = new Map()));
  let cas = byPool.get(pool);
  if (!cas) byPool.set(pool, (cas = listCas(dc, pool)));
  return cas;
}

async function listCas(dc: DoctorContext, pool: string): Promise<Record<string, any>[]> {
  const pca = await dc.p.session.client('privateca');
  const out: Record<string, any>[] = [];
  let pageToken: string | undefined;
  do {
    const page = await readOrMissing(dc, { method: 'privateca.certificateAuthorities.list', resource: pool },
      () => pca.projects.locations.caPools.certificateAuthorities.list({ parent: pool, pageToken }));
    out.push(...(page?.certificateAuthorities ?? []));
    pageToken = page?.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

/** `projects/p/locations/l/kind/id` -> `id`. */
export const shortName = (name: string | undefined | null): string =>
  String(name ?? '').slice(String(name ?? '').lastIndexOf('/') + 1);

/** `YYYY-MM-DD` of a time, for evidence. */
export const day = (t: Date | string): string => new Date(t).toISOString().slice(0, 10);

/**
 * The service account nodes run as: the live cluster's (Dataproc runs a
 * cluster created without one as the Compute Engine default service
 * account), else env.json's, for a cluster not created yet.
 */
export async function nodeServiceAccount(dc: DoctorContext): Promise<{ email: string; from: 'cluster' | 'env' }> {
  const live = found(dc, CLUSTER_ADDRESS);
  if (!live) return { email: dc.p.names.serviceAccountEmail, from: 'env' };
  const email = live.config?.gceClusterConfig?.serviceAccount as string | undefined;
  return { email: email || `${await dc.p.ctx.projectNumber()}-compute@developer.gserviceaccount.com`, from: 'cluster' };
}
