import { ApiError } from '../errors.js';
import type { Router } from '../router.js';

// Operation polling, shared by every API: operation names are unique across
// APIs, so one handler finds an operation wherever it was started and logs
// the request under the API that owns it. Polls never mutate.

/** How long compute's `/wait` may block (the real service: about 2 minutes). */
const WAIT_MAX_MS = 30_000;

export function registerOperations(r: Router): void {
  // google.longrunning.Operation: networkservices, networksecurity,
  // certificatemanager, privateca (all `projects/*/locations/*/operations/*`).
  r.add({ api: 'operations', method: 'GET', path: '/v1/projects/{project}/locations/{location}/operations/{operation}' },
    (req, ctx) => {
      const name = `projects/${req.params.project}/locations/${req.params.location}/operations/${req.params.operation}`;
      req.logApi = ctx.ops.find(name).api;
      return ctx.ops.poll(name);
    });

  // `projects/*/locations` is the same path in every google.longrunning API,
  // so one port cannot tell them apart; the recorded answer
  // (certificatemanager-issuanceconfig: gcloud privateca roots create) is a
  // bare 404, after which gcloud goes on without checking the location.
  r.add({ api: 'operations', method: 'GET', path: '/v1/projects/{project}/locations',
    query: ['filter', 'pageSize', 'pageToken', 'extraLocationTypes'] }, () => {
    throw new ApiError(404, 'Not Found', 'NOT_FOUND');
  });

  // Service Usage: `operations/*`.
  r.add({ api: 'serviceusage', method: 'GET', path: '/v1/operations/{operation}' },
    (req, ctx) => ctx.ops.poll(`operations/${req.params.operation}`));

  // Dataproc: `projects/*/regions/*/operations/*`.
  r.add({ api: 'dataproc', method: 'GET', path: '/v1/projects/{project}/regions/{region}/operations/{operation}' },
    (req, ctx) => ctx.ops.poll(`projects/${req.params.project}/regions/${req.params.region}/operations/${req.params.operation}`));

  // compute#operation, global and regional, GET and /wait.
  for (const scope of ['global', 'regions/{region}']) {
    const base = `/compute/v1/projects/{project}/${scope}/operations/{operation}`;
    r.add({ api: 'compute', method: 'GET', path: base }, (req, ctx) => ctx.ops.poll(req.params.operation));
    r.add({ api: 'compute', method: 'POST', path: `${base}/wait`, mutating: false },
      (req, ctx) => ctx.ops.wait(req.params.operation, WAIT_MAX_MS));
  }
}
