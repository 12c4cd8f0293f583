import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/example.js';

// Reading the recorded real-Google transcripts in
// ../shared/reference/gcp-recordings/<case>/_http.log (read where they are,
// never copied): exchanges separated by `---`, each a request (line,
// headers, JSON body) and a response (status line, headers, JSON body).
// Some cases were recorded over gRPC (`GRPC /pkg.Service/Method`); those are
// turned into the REST calls they stand for.

export const RECORDINGS = new URL('../shared/reference/gcp-recordings/', REPO_ROOT).pathname;

export interface Recorded {
  method: string;
  /** Path and query as recorded, placeholders (`${projectId}`) left in. */
  url: string;
  body?: any;
  status: number;
  response?: any;
}

export interface Case {
  name: string;
  dir: string;
  exchanges: Recorded[];
  /** gcloud commands of script.yaml (`exec:` lines, comments dropped). */
  script?: string[];
}

export function recordingsPresent(): boolean {
  return existsSync(RECORDINGS) && readdirSync(RECORDINGS).some((d) => existsSync(join(RECORDINGS, d, '_http.log')));
}

export function readCases(): Case[] {
  return readdirSync(RECORDINGS).filter((d) => existsSync(join(RECORDINGS, d, '_http.log'))).sort().map((name) => {
    const dir = join(RECORDINGS, name);
    const scriptFile = join(dir, 'script.yaml');
    const script = existsSync(scriptFile)
      ? [...readFileSync(scriptFile, 'utf8').matchAll(/^- exec: (.+)$/gm)].map((m) => m[1].trim())
      : undefined;
    return { name, dir, script, exchanges: parseLog(readFileSync(join(dir, '_http.log'), 'utf8')) };
  });
}

export function parseLog(text: string): Recorded[] {
  return text.split(/\n---\n/).map((block) => block.trim()).filter(Boolean).map(parseExchange);
}

function parseExchange(block: string): Recorded {
  const lines = block.split('\n');
  if (lines[0].startsWith('GRPC ')) return grpcExchange(lines);
  const [method, full] = lines[0].split(' ');
  const statusAt = lines.findIndex((l, i) => i > 0 && /^\d{3} /.test(l));
  return {
    method, url: full.replace(/^https:\/\/[^/]+/, ''),
    body: jsonAfterHeaders(lines.slice(1, statusAt)),
    status: Number(lines[statusAt].slice(0, 3)),
    response: jsonAfterHeaders(lines.slice(statusAt + 1)),
  };
}

/** The JSON after the first blank line, if any. */
function jsonAfterHeaders(lines: string[]): any {
  const blank = lines.findIndex((l) => l.trim() === '');
  const text = blank < 0 ? '' : lines.slice(blank + 1).join('\n').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The networksecurity gRPC methods recorded, as REST: method, path template, body field. */
const GRPC_REST: Record<string, [string, (req: any) => string, string?]> = {
  GetUrlList: ['GET', (r) => `/v1/${r.name}`],
  CreateUrlList: ['POST', (r) => `/v1/${r.parent}/urlLists?urlListId=${r.urlListId}`, 'urlList'],
  UpdateUrlList: ['PATCH', (r) => `/v1/${r.urlList.name}${r.updateMask ? `?updateMask=${r.updateMask.paths?.join(',') ?? r.updateMask}` : ''}`, 'urlList'],
  DeleteUrlList: ['DELETE', (r) => `/v1/${r.name}`],
  GetOperation: ['GET', (r) => `/v1/${r.name}`],
};

const GRPC_HTTP: Record<string, number> = { OK: 200, NotFound: 404, AlreadyExists: 409, InvalidArgument: 400, FailedPrecondition: 400 };

function grpcExchange(lines: string[]): Recorded {
  const rpc = lines[0].split('/').pop() ?? '';
  const text = lines.slice(1).join('\n');
  // Request JSON, then a status line (`OK` or `error: rpc error: code = X desc = ...`), then response JSON.
  const statusLine = lines.findIndex((l, i) => i > 0 && (/^OK$/.test(l) || /^error: rpc error/.test(l)));
  const request = JSON.parse(lines.slice(1, statusLine).join('\n').trim() || '{}');
  const response = JSON.parse(lines.slice(statusLine + 1).join('\n').trim() || '{}');
  const code = /code = (\w+)/.exec(lines[statusLine])?.[1] ?? 'OK';
  const rest = GRPC_REST[rpc];
  if (!rest) throw new Error(`unmapped gRPC method ${rpc} in a recording (${text.slice(0, 60)})`);
  const status = GRPC_HTTP[code] ?? 500;
  const error = status === 200 ? undefined
    : { error: { code: status, message: /desc = (.*)$/.exec(lines[statusLine])?.[1] ?? '', status: code.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c).toUpperCase() } };
  return { method: rest[0], url: rest[1](request), body: rest[2] ? request[rest[2]] : undefined, status, response: error ?? response };
}
