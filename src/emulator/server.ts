import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { registerAll } from './apis/index.js';
import { batch } from './batch.js';
import { control } from './control.js';
import { ApiError } from './errors.js';
import { faultHook, type FaultConfig, type FaultHook, type FaultRequest } from './faults.js';
import { selectFields } from './fields.js';
import { Operations, type OperationTiming } from './operations.js';
import { NO_REALISM, Realism, realismFromEnv, type RealismSettings } from './realism.js';
import { Reply, Router, type EmuContext, type EmuRequest } from './router.js';
import { acquireStateLock, markServing } from './state-lock.js';
import { Store } from './store.js';
import { parseJson, projectNumber, readBody, record, send, type Exchange, type RequestLogEntry } from './server-io.js';
import { TrackedQuery, checkRequest, defaultStrict, ignoredError, type StrictSettings } from './strict.js';

// The emulator as an HTTP server on 127.0.0.1. One port serves every API at
// the root path (googleapis keeps only the origin of a rootUrl). For each
// request: the fault hook may answer first; due operations complete; strict
// mode refuses what Google would refuse (and what the emulator would
// silently ignore); the realism switches may refuse as an eventually
// consistent cloud does; the API answers; state is written through and one
// line is appended to the request log. Control endpoints live under
// `/_emulator/` (control.ts), a prefix no Google API uses.

export interface EmulatorOptions {
  /** Folder for state.json, requests.jsonl and the lock; in memory when absent. */
  stateDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  timing?: Partial<OperationTiming>;
  /** How long to wait for another process holding the state folder. */
  lockWaitMs?: number;
  /** Told when another process holds the state folder and we wait. */
  onLockWait?: (message: string) => void;
  /** Defaults: on under the test runner or with DPGCE_EMULATOR_STRICT=1 (strict.ts). */
  strict?: Partial<StrictSettings>;
  realism?: Partial<RealismSettings>;
  /** Fault rules (faults.ts), or a hook of one's own; none by default. */
  faults?: FaultHook | FaultConfig;
  /** Keep every request and response body (the transcript comparison needs them). */
  recordExchanges?: boolean;
  /**
   * `dpgce emulator serve`: the lock on the state folder says where it is
   * served, so a `--local` run on the same folder is told to use it.
   */
  serving?: boolean;
}

export type { Exchange, RequestLogEntry } from './server-io.js';

export interface Emulator {
  url: string;
  port: number;
  store: Store;
  ops: Operations;
  /** This process's request log (the file holds every process's). */
  requests: RequestLogEntry[];
  exchanges: Exchange[];
  settings: Settings;
  close(): Promise<void>;
}

/** What the control endpoints can change while the server runs. */
export interface Settings {
  strict: StrictSettings;
  realism: Realism;
  faults: FaultHook;
  recordExchanges: boolean;
}

export const DEFAULT_TIMING: OperationTiming = {
  latency: { defaultMs: 0, rules: [] },
  minPolls: 1,
};

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  // 1. Own the state folder before reading it.
  let release = (): void => {};
  if (opts.stateDir) {
    mkdirSync(opts.stateDir, { recursive: true });
    release = await acquireStateLock(opts.stateDir, { waitMs: opts.lockWaitMs ?? 60_000, onWait: opts.onLockWait });
  }

  // 2. Load state and wire the APIs.
  const store = new Store(opts.stateDir ? join(opts.stateDir, 'state.json') : undefined);
  const ops = new Operations(store, { ...DEFAULT_TIMING, ...opts.timing });
  const ctx: EmuContext = { store, ops, projectNumber };
  const router = new Router();
  registerAll(router);
  const settings: Settings = {
    strict: { ...defaultStrict(), ...opts.strict },
    realism: new Realism({ ...NO_REALISM, ...realismFromEnv(), ...opts.realism }),
    faults: faultHook(opts.faults),
    recordExchanges: opts.recordExchanges ?? false,
  };
  const w: Wiring = {
    router, ctx, settings, requests: [], exchanges: [],
    logFile: opts.stateDir ? join(opts.stateDir, 'requests.jsonl') : undefined,
  };

  // 3. Serve.
  const server = createServer((req, res) => {
    handle(req, res, w).catch((err) => {
      res.statusCode = 500;
      res.end(JSON.stringify(new ApiError(500, `emulator bug: ${(err as Error).message}`).envelope()));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (opts.serving && opts.stateDir) markServing(opts.stateDir, `http://127.0.0.1:${port}`);

  return {
    url: `http://127.0.0.1:${port}`,
    port, store, ops, settings,
    requests: w.requests,
    exchanges: w.exchanges,
    close: async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      store.flush();
      release();
    },
  };
}

export interface Wiring {
  router: Router;
  ctx: EmuContext;
  settings: Settings;
  requests: RequestLogEntry[];
  exchanges: Exchange[];
  logFile?: string;
}

async function handle(req: IncomingMessage, res: ServerResponse, w: Wiring): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const rawBody = await readBody(req);
  const method = req.method ?? 'GET';

  if (url.pathname.startsWith('/_emulator/')) {
    return send(res, await control(url, method, rawBody, w));
  }
  if (method === 'POST' && /^\/batch(\/|$)/.test(url.pathname)) {
    // The batch's own credential covers its parts.
    const auth = req.headers.authorization;
    return send(res, await batch(req.headers['content-type'], rawBody, (inner) =>
      serveOne(w, inner.method, new URL(inner.url, 'http://127.0.0.1'),
        { ...inner.headers, authorization: inner.headers.authorization ?? auth }, inner.body)));
  }
  send(res, await serveOne(w, method, url, req.headers, rawBody));
}

/** One API request, from the wire or from a batch: answered, written through, logged. */
async function serveOne(w: Wiring, method: string, url: URL, headers: IncomingMessage['headers'],
  rawBody: Buffer): Promise<Reply> {
  const matched = w.router.match(method, url.pathname);
  const request: EmuRequest = {
    method, path: url.pathname, params: matched?.params ?? {}, query: new TrackedQuery(url.searchParams),
    json: undefined, rawBody, headers,
  };
  let api = matched?.route.api ?? 'unknown';
  let reply: Reply;
  try {
    reply = await answer(request, matched, headers, w);
    api = request.logApi ?? api;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    reply = new Reply(err.code, err.envelope());
  }
  w.ctx.store.flush();
  record({ ...w, recordExchanges: w.settings.recordExchanges }, request, api, reply,
    matched ? (matched.route.mutating ?? method !== 'GET') : false);
  return reply;
}

type Matched = ReturnType<Router['match']>;

/** Everything between routing and the reply; throws ApiError for refusals. */
async function answer(request: EmuRequest, matched: Matched, headers: IncomingMessage['headers'],
  w: Wiring): Promise<Reply> {
  const { method, path } = request;
  const api = matched?.route.api ?? 'unknown';

  // 1. Who may ask, and whether a fault answers instead.
  if (!headers.authorization) {
    throw new ApiError(401, 'Request is missing required authentication credential.', 'UNAUTHENTICATED');
  }
  const faultRequest: FaultRequest = { api, method, path, query: request.query };
  const fault = await w.settings.faults.intercept(faultRequest);
  if (fault) return fault;
  // Loud, and never mistaken for "resource not found" by a client.
  if (!matched) throw new ApiError(501, `The emulator does not implement ${method} ${path}`, 'UNIMPLEMENTED');

  // 2. The request as the API sees it; strict mode first refuses what Google would.
  w.ctx.ops.settle();
  // An upload's body is the object's bytes, whatever its content type says.
  request.json = path.startsWith('/upload/') ? undefined : parseJson(request.rawBody, headers['content-type']);
  const strict = w.settings.strict;
  if (strict.enabled) {
    request.listing = { maxPageSize: strict.maxPageSize, shuffle: strict.shuffle };
    checkRequest(api, method, path, new URLSearchParams(request.query), request.json);
  }

  // 3. Eventual consistency, then the API itself.
  const seen = { api, method, path, params: request.params, json: request.json };
  await w.settings.realism.before(seen, w.ctx, (m, p, b) => dispatch(w, m, p, b));
  const query = request.query as TrackedQuery;
  const implemented = matched.route.query ?? [];
  const snapshot = strict.enabled && query.ignored(implemented).length ? w.ctx.store.snapshot() : undefined;
  const out = await w.settings.faults.around(faultRequest, () => matched.route.handler(request, w.ctx));
  let reply = out instanceof Reply ? out : new Reply(200, out);
  const fields = query.get('fields');
  if (fields && reply.status < 300 && reply.json !== undefined && !reply.body) {
    reply = new Reply(reply.status, selectFields(reply.json, fields), undefined, reply.contentType);
  }

  // 4. A parameter the handler never looked at: undo, and say so.
  const ignored = strict.enabled ? query.ignored(implemented) : [];
  if (ignored.length) {
    if (snapshot) w.ctx.store.restore(snapshot);
    throw ignoredError(method, path, ignored);
  }
  w.settings.realism.after(seen, reply.status, reply.json, w.ctx);
  return w.settings.faults.after(faultRequest, reply);
}

/** A request from inside the emulator: no strictness, no realism, not logged. */
async function dispatch(w: Wiring, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const matched = w.router.match(method, path);
  if (!matched) return { status: 501, json: undefined };
  try {
    const out = await matched.route.handler({ method, path, params: matched.params, query: new URLSearchParams(),
      json: body, rawBody: Buffer.from(body === undefined ? '' : JSON.stringify(body)), headers: {} }, w.ctx);
    return out instanceof Reply ? { status: out.status, json: out.json } : { status: 200, json: out };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { status: err.code, json: err.envelope() };
  }
}
