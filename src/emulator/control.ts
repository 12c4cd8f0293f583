import { callerSettings, configureCaller } from './apis/caller.js';
import { configureQuotas, quotaLimits } from './apis/compute-region.js';
import { ApiError } from './errors.js';
import type { RealismSettings } from './realism.js';
import { Reply } from './router.js';
import type { Wiring } from './server.js';
import type { StrictSettings } from './strict.js';

// `/_emulator/...`: the emulator's own controls, for tests and for anyone
// driving `dpgce emulator serve`. No Google API uses the prefix, and none of
// these needs a token. Bodies are JSON.
//
//   GET    health                      {ok: true}
//   POST   reset                       forget every resource and operation
//   POST   seed       {resources}      put resources as they are (keyed by name)
//   GET    resources  ?prefix=         stored resources
//   GET|PUT timing    {latency, minPolls}
//   GET|PUT strict    {enabled, maxPageSize, shuffle}
//   GET|PUT realism   {newServiceAccountDenials, serviceEnableLag, iamConflictEvery}
//   GET|PUT faults    (the fault hook's rules)
//   GET|PUT caller    {deniedPermissions}          kept in the state file
//   GET|PUT quotas    {"projects/P/regions/R": {METRIC: limit}}   kept in the state file
//   GET    requests   ?since=N         this process's request log
//   GET    exchanges  ?since=N         whole exchanges (PUT {record: true} first)

type Control = (url: URL, body: () => any, w: Wiring) => unknown;

const ENDPOINTS: Record<string, Control> = {
  'GET health': () => ({ ok: true }),
  'POST reset': (_u, _b, w) => {
    w.ctx.store.reset();
    w.ctx.store.flush();
    return { ok: true };
  },
  'POST seed': (_u, body, w) => {
    const resources = body()?.resources;
    if (!resources || typeof resources !== 'object') throw bad('seed needs {"resources": {"<name>": {...}}}');
    for (const [name, value] of Object.entries(resources)) w.ctx.store.put(name, value as Record<string, unknown>);
    w.ctx.store.flush();
    return { seeded: Object.keys(resources).length };
  },
  'GET resources': (url, _b, w) => {
    w.ctx.ops.settle();
    return { resources: Object.fromEntries(w.ctx.store.entries(url.searchParams.get('prefix') ?? '')) };
  },
  'GET timing': (_u, _b, w) => w.ctx.ops.timing,
  'PUT timing': (_u, body, w) => (w.ctx.ops.timing = { ...w.ctx.ops.timing, ...body() }),
  'GET strict': (_u, _b, w) => w.settings.strict,
  'PUT strict': (_u, body, w) => Object.assign(w.settings.strict, pick<StrictSettings>(body(),
    { enabled: 'boolean', maxPageSize: 'number', shuffle: 'boolean' })),
  'GET realism': (_u, _b, w) => w.settings.realism.settings,
  'PUT realism': (_u, body, w) => Object.assign(w.settings.realism.settings, pick<RealismSettings>(body(),
    { newServiceAccountDenials: 'number', serviceEnableLag: 'number', iamConflictEvery: 'number' })),
  'GET faults': (_u, _b, w) => w.settings.faults.describe(),
  'PUT faults': (_u, body, w) => w.settings.faults.configure(body()),
  'GET caller': (_u, _b, w) => callerSettings(w.ctx.store),
  'PUT caller': (_u, body, w) => configureCaller(w.ctx.store, body()),
  'GET quotas': (_u, _b, w) => quotaLimits(w.ctx.store),
  'PUT quotas': (_u, body, w) => configureQuotas(w.ctx.store, body()),
  'GET requests': (url, _b, w) => ({ requests: w.requests.slice(since(url)) }),
  'GET exchanges': (url, _b, w) => ({ recording: w.settings.recordExchanges, exchanges: w.exchanges.slice(since(url)) }),
  'PUT exchanges': (_u, body, w) => {
    w.settings.recordExchanges = pick<{ record: boolean }>(body(), { record: 'boolean' }).record ?? true;
    return { recording: w.settings.recordExchanges };
  },
};

export async function control(url: URL, method: string, raw: Buffer, w: Wiring): Promise<Reply> {
  const what = url.pathname.slice('/_emulator/'.length);
  const endpoint = ENDPOINTS[`${method} ${what}`];
  if (!endpoint) {
    return new Reply(404, new ApiError(404, `no control endpoint ${method} ${url.pathname}`).envelope());
  }
  const body = (): any => {
    try {
      return raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw bad('the body is not JSON');
    }
  };
  try {
    const out = await endpoint(url, body, w);
    // Settings kept in the state file must reach it before the reply.
    w.ctx.store.flush();
    return new Reply(200, out);
  } catch (err) {
    if (err instanceof ApiError) return new Reply(err.code, err.envelope());
    throw err;
  }
}

const bad = (message: string): ApiError => new ApiError(400, message, 'INVALID_ARGUMENT');

const since = (url: URL): number => Number(url.searchParams.get('since') ?? 0) || 0;

/** Only the known settings, each of its type; anything else is a 400 naming it. */
function pick<T>(input: any, types: Record<string, string>): Partial<T> {
  if (!input || typeof input !== 'object') throw bad('the body must be a JSON object');
  for (const [k, v] of Object.entries(input)) {
    if (!(k in types)) throw bad(`unknown setting "${k}"; known: ${Object.keys(types).join(', ')}`);
    if (typeof v !== types[k]) throw bad(`setting "${k}" must be a ${types[k]}`);
  }
  return input as Partial<T>;
}
