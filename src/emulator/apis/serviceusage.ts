import { createHash } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { Effect } from '../operations.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, page } from './common.js';
import { AGENT_DOMAIN, CATALOG, DEFAULT_ENABLED, title } from './serviceusage-catalog.js';

// Service Usage: service state per project, enable/batchEnable/disable as
// `operations/*` LROs shaped as recorded (serviceusage-service,
// serviceusage-identity: only a name while running; Empty or
// OperationMetadata once done), and v1beta1 generateServiceIdentity, which
// answers done at once. Services are named by project number. A new project
// has Google's default-enabled set; every other `*.googleapis.com` service
// starts DISABLED. State is stored at `projects/<number>/services/<name>`,
// generated agents at `projects/<number>/serviceIdentities/<name>`.

const V1 = '/v1/projects/{project}';
const TYPE = 'type.googleapis.com/google.api.serviceusage.';
const SERVICE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*\.googleapis\.com$/;

export function registerServiceUsage(r: Router): void {
  r.add({ api: 'serviceusage', method: 'GET', path: `${V1}/services/{service}` }, (req, ctx) =>
    view(ctx, number(req, ctx), checkService(req.params.service)),
  );
  r.add({ api: 'serviceusage', method: 'GET', path: `${V1}/services` }, (req, ctx) =>
    list(req, ctx),
  );
  r.add({ api: 'serviceusage', method: 'GET', path: `${V1}/services:batchGet` }, (req, ctx) => {
    const n = number(req, ctx);
    const names = req.query
      .getAll('names')
      .map((name) => checkService(name.split('/').pop() ?? ''));
    return { services: names.map((s) => view(ctx, n, s)) };
  });
  r.add(
    { api: 'serviceusage', method: 'POST', path: `${V1}/services/{service}:enable` },
    (req, ctx) =>
      setState(
        ctx,
        number(req, ctx),
        [checkService(req.params.service)],
        'ENABLED',
        'EnableServiceResponse',
      ),
  );
  r.add(
    { api: 'serviceusage', method: 'POST', path: `${V1}/services/{service}:disable` },
    (req, ctx) =>
      setState(
        ctx,
        number(req, ctx),
        [checkService(req.params.service)],
        'DISABLED',
        'DisableServiceResponse',
      ),
  );
  r.add({ api: 'serviceusage', method: 'POST', path: `${V1}/services:batchEnable` }, (req, ctx) => {
    const ids = body(req).serviceIds;
    if (!Array.isArray(ids) || ids.length === 0) {
      throw new ApiError(400, 'serviceIds must name at least one service.', 'INVALID_ARGUMENT');
    }
    if (ids.length > 20)
      throw new ApiError(
        400,
        'At most 20 services can be enabled in one request.',
        'INVALID_ARGUMENT',
      );
    return setState(
      ctx,
      number(req, ctx),
      ids.map(checkService),
      'ENABLED',
      'BatchEnableServicesResponse',
    );
  });
  r.add(
    {
      api: 'serviceusage',
      method: 'POST',
      path: '/v1beta1/projects/{project}/services/{service}:generateServiceIdentity',
    },
    (req, ctx) => generateIdentity(ctx, number(req, ctx), checkService(req.params.service)),
  );
}

/** The project number for the id (or number) in the path. */
const number = (req: EmuRequest, ctx: EmuContext): string =>
  /^\d+$/.test(req.params.project) ? req.params.project : ctx.projectNumber(req.params.project);

function checkService(name: string): string {
  if (!SERVICE.test(name)) {
    throw new ApiError(
      403,
      `Not found or permission denied for service(s): ${name}.`,
      'PERMISSION_DENIED',
    );
  }
  return name;
}

/** ENABLED or DISABLED, for Service Usage and for the realism switches. */
export function stateOf(ctx: EmuContext, n: string, service: string): string {
  return (
    ctx.store.get(`projects/${n}/services/${service}`)?.state ??
    (DEFAULT_ENABLED.includes(service) ? 'ENABLED' : 'DISABLED')
  );
}

/** A service as GET and list show it. */
function view(ctx: EmuContext, n: string, service: string): Resource {
  return {
    name: `projects/${n}/services/${service}`,
    config: { name: service, title: title(service) },
    state: stateOf(ctx, n, service),
    parent: `projects/${n}`,
  };
}

function list(req: EmuRequest, ctx: EmuContext): Resource {
  const n = number(req, ctx);
  const stored = ctx.store
    .list(`projects/${n}/services`)
    .map((s) => s.name.split('/').pop() as string);
  const wanted = /^state:(ENABLED|DISABLED)$/.exec(req.query.get('filter') ?? '')?.[1];
  const filter = req.query.get('filter');
  if (filter && !wanted) throw new ApiError(400, `Invalid filter: ${filter}`, 'INVALID_ARGUMENT');
  const services = [...new Set([...CATALOG, ...stored])]
    .map((s) => view(ctx, n, s))
    .filter((s) => !wanted || s.state === wanted);
  return page(services, 'services', req);
}

function setState(
  ctx: EmuContext,
  n: string,
  services: string[],
  state: string,
  responseType: string,
): Resource {
  const records = services.map((s) => ({
    name: `projects/${n}/services/${s}`,
    parent: `projects/${n}`,
    state,
  }));
  const effects: Effect[] = records.map((rec) => ({ put: rec.name, value: rec }));
  const batch = responseType.startsWith('Batch');
  return ctx.ops.startLro({
    api: 'serviceusage',
    parent: '',
    verb: state === 'ENABLED' ? 'enable' : 'disable',
    target: `projects/${n}`,
    collection: 'services',
    metadataType: '',
    effects,
    metadata: null,
    doneMetadata:
      batch || state === 'DISABLED'
        ? { '@type': `${TYPE}v1.OperationMetadata` }
        : { '@type': 'type.googleapis.com/google.protobuf.Empty', value: {} },
    response: batch
      ? { '@type': `${TYPE}v1.${responseType}`, services: records }
      : { '@type': `${TYPE}v1.${responseType}`, service: records[0] },
  });
}

function generateIdentity(ctx: EmuContext, n: string, service: string): Resource {
  const short = service.replace(/\.googleapis\.com$/, '');
  const domain = AGENT_DOMAIN[short] ?? `gcp-sa-${short}`;
  const identity = {
    email: `service-${n}@${domain}.iam.gserviceaccount.com`,
    uniqueId: BigInt(`0x${createHash('sha256').update(`${n}/${service}`).digest('hex')}`)
      .toString()
      .slice(0, 21),
  };
  return ctx.ops.startLro({
    api: 'serviceusage',
    parent: '',
    verb: 'generateServiceIdentity',
    target: `projects/${n}/services/${service}`,
    collection: 'services',
    metadataType: '',
    metadata: null,
    immediate: true,
    effects: [{ put: `projects/${n}/serviceIdentities/${service}`, value: identity }],
    response: { '@type': `${TYPE}v1beta1.ServiceIdentity`, ...identity },
  });
}
