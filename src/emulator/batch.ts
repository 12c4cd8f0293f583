import { randomBytes } from 'node:crypto';
import { ApiError } from './errors.js';
import { Reply } from './router.js';

// Batch requests (`POST /batch/compute/v1`, `/batch/storage/v1`): a
// multipart/mixed body whose parts are whole HTTP requests, answered by a
// multipart/mixed body of whole HTTP responses, each part carrying
// `Content-ID: <response-ID>` for the request's `<ID>`. gcloud sends one for
// every multi-resource command (`firewall-rules delete a b c`). Each inner
// request goes through the emulator as if sent alone.
// https://cloud.google.com/compute/docs/api/how-tos/batch

export interface InnerRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type Serve = (inner: InnerRequest) => Promise<Reply>;

export async function batch(contentType: string | undefined, body: Buffer, serve: Serve): Promise<Reply> {
  const boundary = /boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))/.exec(contentType ?? '');
  if (!contentType?.startsWith('multipart/mixed') || !boundary) {
    throw new ApiError(400, 'A batch request must be multipart/mixed with a boundary.', 'INVALID_ARGUMENT');
  }
  const parts = split(body.toString('latin1'), boundary[1] ?? boundary[2] ?? boundary[3]);
  const out = randomBytes(12).toString('hex');
  let text = '';
  for (const part of parts) {
    const { headers, rest } = headerBlock(part);
    const id = headers['content-id']?.replace(/^<|>$/g, '') ?? '';
    const reply = await serve(innerRequest(rest));
    const payload = reply.body ?? Buffer.from(reply.json === undefined ? '' : JSON.stringify(reply.json));
    text += `--${out}\r\nContent-Type: application/http\r\nContent-ID: <response-${id}>\r\n\r\n` +
      `HTTP/1.1 ${reply.status} ${STATUS_TEXT[reply.status] ?? ''}\r\nContent-Type: ${reply.contentType}\r\n` +
      `Content-Length: ${payload.length}\r\n\r\n${payload.toString('latin1')}\r\n`;
  }
  text += `--${out}--\r\n`;
  return new Reply(200, undefined, Buffer.from(text, 'latin1'), `multipart/mixed; boundary=${out}`);
}

/** The parts between `--boundary` lines, without the closing one. */
function split(text: string, boundary: string): string[] {
  return text.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`))
    .filter((p) => p.trim() !== '');
}

/** Headers (lower-cased names) up to the first blank line, and what follows. */
function headerBlock(text: string): { headers: Record<string, string>; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const rest = m ? text.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, rest };
}

function innerRequest(text: string): InnerRequest {
  const lineEnd = /\r?\n/.exec(text);
  const requestLine = lineEnd ? text.slice(0, lineEnd.index) : text;
  const m = /^([A-Z]+) (\S+)(?: HTTP\/1\.[01])?$/.exec(requestLine.trim());
  if (!m) throw new ApiError(400, `A batch part does not start with a request line: ${requestLine.slice(0, 80)}`, 'INVALID_ARGUMENT');
  const { headers, rest } = headerBlock(lineEnd ? text.slice(lineEnd.index + lineEnd[0].length) : '');
  // A part may name the full URL; only its path and query matter here.
  const url = m[2].replace(/^https?:\/\/[^/]+/, '');
  return { method: m[1], url, headers, body: Buffer.from(rest.replace(/\r?\n$/, ''), 'latin1') };
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 412: 'Precondition Failed', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};
