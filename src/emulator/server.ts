import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiError } from './errors.js';
import { Operations, type OperationTiming } from './operations.js';
import { registerAll } from './apis/index.js';
import { Reply, Router, type EmuContext, type EmuRequest } from './router.js';
import { acquireStateLock } from './state-lock.js';
import { Store } from './store.js';

// The emulator as an HTTP server on 127.0.0.1. One port serves every API at
// the root path (googleapis keeps only the origin of a rootUrl). Before each
// request, due operations complete; after it, state is written through and
// one line is appended to the request log. Control endpoints live under
// `/_emulator/`, a prefix no Google API uses.

export interface EmulatorOptions {
  /** Folder for state.json, requests.jsonl and the lock; in memory when absent. */
  stateDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  timing?: Partial<OperationTiming>;
  /** How long to wait for another process holding the state folder. */
  lockWaitMs?: number;
}

/** One line of the request log. No header is ever recorded. */
export interface RequestLogEntry {
  time: string;
  api: string;
  method: string;
  path: string;
  status: number;
  mutating: boolean;
}

export interface Emulator {
  url: string;
  port: number;
  store: Store;
  ops: Operations;
  /** This process's request log (the file holds every process's). */
  requests: RequestLogEntry[];
  close(): Promise<void>;
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
    release = await acquireStateLock(opts.stateDir, { waitMs: opts.lockWaitMs ?? 60_000 });
  }

  // 2. Load state and wire the APIs.
  const store = new Store(opts.stateDir ? join(opts.stateDir, 'state.json') : undefined);
  const ops = new Operations(store, { ...DEFAULT_TIMING, ...opts.timing });
  const ctx: EmuContext = { store, ops, projectNumber };
  const router = new Router();
  registerAll(router);
  const requests: RequestLogEntry[] = [];
  const logFile = opts.stateDir ? join(opts.stateDir, 'requests.jsonl') : undefined;

  // 3. Serve.
  const server = createServer((req, res) => {
    handle(req, res, { router, ctx, requests, logFile }).catch((err) => {
      res.statusCode = 500;
      res.end(JSON.stringify(new ApiError(500, `emulator bug: ${(err as Error).message}`).envelope()));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    ops,
    requests,
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

interface Wiring {
  router: Router;
  ctx: EmuContext;
  requests: RequestLogEntry[];
  logFile?: string;
}

async function handle(req: IncomingMessage, res: ServerResponse, w: Wiring): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const rawBody = await readBody(req);
  const method = req.method ?? 'GET';

  if (url.pathname.startsWith('/_emulator/')) {
    return send(res, await control(url, method, rawBody, w));
  }

  const matched = w.router.match(method, url.pathname);
  let api = matched?.route.api ?? 'unknown';
  let reply: Reply;
  try {
    if (!req.headers.authorization) {
      throw new ApiError(401, 'Request is missing required authentication credential.', 'UNAUTHENTICATED');
    }
    if (!matched) {
      // Loud, and never mistaken for "resource not found" by a client.
      throw new ApiError(501, `The emulator does not implement ${method} ${url.pathname}`, 'UNIMPLEMENTED');
    }
    w.ctx.ops.settle();
    const request: EmuRequest = {
      method, path: url.pathname, params: matched.params, query: url.searchParams,
      // An upload's body is the object's bytes, whatever its content type says.
      json: url.pathname.startsWith('/upload/') ? undefined : parseJson(rawBody, req.headers['content-type']),
      rawBody, headers: req.headers,
    };
    const out = await matched.route.handler(request, w.ctx);
    api = request.logApi ?? api;
    reply = out instanceof Reply ? out : new Reply(200, out);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    reply = new Reply(err.code, err.envelope());
  }
  w.ctx.store.flush();

  const entry: RequestLogEntry = {
    time: new Date().toISOString(), api, method, path: url.pathname, status: reply.status,
    mutating: matched ? (matched.route.mutating ?? method !== 'GET') : false,
  };
  w.requests.push(entry);
  if (w.logFile) appendFileSync(w.logFile, JSON.stringify(entry) + '\n');
  send(res, reply);
}

/** `/_emulator/...`: health, reset, state dump, operation timing. */
async function control(url: URL, method: string, body: Buffer, w: Wiring): Promise<Reply> {
  const what = url.pathname.slice('/_emulator/'.length);
  if (what === 'health') return new Reply(200, { ok: true });
  if (what === 'reset' && method === 'POST') {
    w.ctx.store.reset();
    w.ctx.store.flush();
    return new Reply(200, { ok: true });
  }
  if (what === 'resources' && method === 'GET') {
    w.ctx.ops.settle();
    const prefix = url.searchParams.get('prefix') ?? '';
    return new Reply(200, { resources: Object.fromEntries(w.ctx.store.entries(prefix)) });
  }
  if (what === 'timing' && method === 'PUT') {
    w.ctx.ops.timing = { ...w.ctx.ops.timing, ...JSON.parse(body.toString('utf8')) };
    return new Reply(200, w.ctx.ops.timing);
  }
  return new Reply(404, new ApiError(404, `no control endpoint ${method} ${url.pathname}`).envelope());
}

function parseJson(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  if (contentType && !contentType.includes('json')) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Invalid JSON payload received.', 'INVALID_ARGUMENT');
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status;
  res.setHeader('content-type', reply.contentType);
  res.end(reply.body ?? (reply.json === undefined ? '' : JSON.stringify(reply.json)));
}

/** A stable 12-digit project number derived from the project id. */
function projectNumber(project: string): string {
  const h = createHash('sha256').update(project).digest();
  return String(100000000000 + (h.readUInt32BE(0) % 900000000000));
}
