import type { EmuContext, EmuRequest } from '../router.js';
import type { Resource } from '../store.js';
import { pageOf } from '../strict.js';
import { computeLink } from './common.js';
import { regional } from './compute-common.js';
import { compileFilter } from './compute-filter.js';

// `aggregated/<collection>`: a regional collection across the project, keyed
// by scope (`regions/<r>`). As recorded (compute-network-custom, gcloud's
// `networks subnets list`): with `includeAllScopes=True` every scope appears,
// `global`, each region and each zone, the empty ones holding only a
// NO_RESULTS_ON_PAGE warning; `maxResults` pages across scopes.

/** Compute regions and the letters of their zones (public region list, 2026). */
export const REGIONS: Record<string, string> = {
  'africa-south1': 'abc', 'asia-east1': 'abc', 'asia-east2': 'abc', 'asia-northeast1': 'abc',
  'asia-northeast2': 'abc', 'asia-northeast3': 'abc', 'asia-south1': 'abc', 'asia-south2': 'abc',
  'asia-southeast1': 'abc', 'asia-southeast2': 'abc', 'australia-southeast1': 'abc',
  'australia-southeast2': 'abc', 'europe-central2': 'abc', 'europe-north1': 'abc', 'europe-north2': 'abc',
  'europe-southwest1': 'abc', 'europe-west1': 'bcd', 'europe-west10': 'abc', 'europe-west12': 'abc',
  'europe-west2': 'abc', 'europe-west3': 'abc', 'europe-west4': 'abc', 'europe-west6': 'abc',
  'europe-west8': 'abc', 'europe-west9': 'abc', 'me-central1': 'abc', 'me-central2': 'abc', 'me-west1': 'abc',
  'northamerica-northeast1': 'abc', 'northamerica-northeast2': 'abc', 'northamerica-south1': 'abc',
  'southamerica-east1': 'abc', 'southamerica-west1': 'abc', 'us-central1': 'abcf', 'us-east1': 'bcd',
  'us-east4': 'abc', 'us-east5': 'abc', 'us-south1': 'abc', 'us-west1': 'abc', 'us-west2': 'abc',
  'us-west3': 'abc', 'us-west4': 'abc',
};

const SCOPES: string[] = ['global', ...Object.keys(REGIONS).map((r) => `regions/${r}`),
  ...Object.entries(REGIONS).flatMap(([r, zones]) => [...zones].map((z) => `zones/${r}-${z}`))].sort();

export function aggregatedList(req: EmuRequest, ctx: EmuContext, collection: string, kind: string): Resource {
  const project = req.params.project;
  const keep = compileFilter(req.query.get('filter'));
  // Partial success only matters when a scope is unreachable; none ever is.
  req.query.get('returnPartialSuccess');

  // 1. One page of (scope, item) pairs.
  const pairs = regional(ctx, project, collection)
    .filter(([, item]) => keep(item))
    .map(([key, item]) => ({ scope: `regions/${key.split('/')[3]}`, item }));
  const asked = Number(req.query.get('maxResults') ?? 500) || 500;
  const { slice, next } = pageOf(pairs, {
    policy: req.listing, token: req.query.get('pageToken'), asked, nameOf: (p) => `${p.scope}/${p.item.name}`,
  });

  // 2. Grouped by scope; the first page names every empty scope when asked to.
  const items: Record<string, Resource> = {};
  for (const { scope, item } of slice) (items[scope] ??= { [collection]: [] })[collection].push(item);
  const firstPage = !req.query.get('pageToken');
  if (firstPage && /^true$/i.test(req.query.get('includeAllScopes') ?? '')) {
    const used = new Set(pairs.map((p) => p.scope));
    for (const scope of SCOPES) {
      if (used.has(scope)) continue;
      items[scope] = { warning: { code: 'NO_RESULTS_ON_PAGE', data: [{ key: 'scope', value: scope }],
        message: `No results for the scope '${scope}'.` } };
    }
  }
  const path = `projects/${project}/aggregated/${collection}`;
  const out: Resource = { kind: `compute#${kind}`, id: path, items, selfLink: computeLink(path) };
  if (next) out.nextPageToken = next;
  return out;
}
