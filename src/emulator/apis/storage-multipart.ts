import type { EmuRequest } from '../router.js';
import { badRequest } from './storage-common.js';

// The body of a multipart upload (`uploadType=multipart`): a
// `multipart/related` message of exactly two parts, JSON metadata first.

/**
 * The two parts of a `multipart/related` upload: JSON metadata, then media.
 * Lines may end in CRLF (googleapis) or LF (gcloud's apitools, which also
 * single-quotes the boundary).
 */
export function multipart(req: EmuRequest): { type: string; body: Buffer }[] {
  const boundary = /boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))/i.exec(header(req, 'content-type'));
  if (!boundary) throw badRequest('Missing boundary in multipart/related Content-Type.');
  const raw = req.rawBody;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2] ?? boundary[3]}`);
  const parts: { type: string; body: Buffer }[] = [];
  let at = raw.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    start += raw[start] === 0x0d ? 2 : raw[start] === 0x0a ? 1 : 0;
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    const end = raw[next - 1] !== 0x0a ? next : raw[next - 2] === 0x0d ? next - 2 : next - 1;
    parts.push(splitPart(raw.subarray(start, end)));
    at = next;
  }
  if (parts.length !== 2)
    throw badRequest(`A multipart upload has 2 parts (metadata, media); got ${parts.length}.`);
  try {
    JSON.parse(parts[0].body.toString('utf8'));
  } catch {
    throw badRequest('The first part of a multipart upload must be JSON metadata.');
  }
  return parts;
}

function splitPart(part: Buffer): { type: string; body: Buffer } {
  const crlf = part.indexOf('\r\n\r\n');
  const lf = part.indexOf('\n\n');
  const [split, gap] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : [lf, 2];
  const headers = split < 0 ? '' : part.subarray(0, split).toString('utf8');
  return {
    type: /^content-type:\s*(.+)$/im.exec(headers)?.[1].trim() ?? '',
    body: split < 0 ? part : part.subarray(split + gap),
  };
}

export const header = (req: EmuRequest, name: string): string => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};
