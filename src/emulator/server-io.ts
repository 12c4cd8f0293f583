import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import { RESET } from './faults.js';
import type { Reply, EmuRequest } from './router.js';

// The server's plumbing: reading bodies, sending replies, the request log
// and the whole-exchange record, the stable project numbers.

/** One line of the request log. No header is ever recorded. */
export interface RequestLogEntry {
  time: string;
  api: string;
  method: string;
  path: string;
  status: number;
  mutating: boolean;
}

/** A whole exchange, kept only with `recordExchanges`. Never a header. */
export interface Exchange {
  method: string;
  path: string;
  query: string;
  request?: unknown;
  status: number;
  response?: unknown;
}

/** Where a request is logged: this process's log, the state folder's file, the exchanges. */
export interface LogSink {
  requests: RequestLogEntry[];
  exchanges: Exchange[];
  logFile?: string;
  recordExchanges: boolean;
}

export function record(w: LogSink, request: EmuRequest, api: string, reply: Reply, mutating: boolean): void {
  const entry: RequestLogEntry = {
    time: new Date().toISOString(), api, method: request.method, path: request.path, status: reply.status, mutating,
  };
  w.requests.push(entry);
  if (w.logFile) appendFileSync(w.logFile, JSON.stringify(entry) + '\n');
  if (!w.recordExchanges) return;
  w.exchanges.push({
    method: request.method, path: request.path, query: new URLSearchParams(request.query).toString(),
    request: request.json, status: reply.status, response: reply.body ? undefined : reply.json,
  });
}

export function parseJson(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  if (contentType && !contentType.includes('json')) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Invalid JSON payload received.', 'INVALID_ARGUMENT');
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === RESET) return void res.destroy();
  res.statusCode = reply.status;
  res.setHeader('content-type', reply.contentType);
  res.end(reply.body ?? (reply.json === undefined ? '' : JSON.stringify(reply.json)));
}

/** A stable 12-digit project number derived from the project id. */
export function projectNumber(project: string): string {
  const h = createHash('sha256').update(project).digest();
  return String(100000000000 + (h.readUInt32BE(0) % 900000000000));
}
