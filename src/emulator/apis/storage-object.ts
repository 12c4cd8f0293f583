import { Reply, type EmuContext, type EmuRequest, type Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, nowIso, page } from './common.js';
import {
  badRequest,
  bucketOr404,
  checkPreconditions,
  crc32cBase64,
  md5Base64,
  nextGeneration,
  noSuchObject,
  projected,
  protoEtag,
  required,
} from './storage-common.js';
import { header, multipart } from './storage-multipart.js';

// Cloud Storage objects: simple (`uploadType=media`) and multipart uploads,
// metadata and media reads (`alt=media`, also under `/download/`), patch,
// delete and list with prefix/delimiter. Metadata lives at `b/B/o/NAME`, the
// bytes (base64) at `b/B/media/NAME`, so listings never carry content. Only
// the live generation is kept (no object versioning).

const OUTPUT_ONLY = [
  'kind',
  'id',
  'selfLink',
  'mediaLink',
  'bucket',
  'generation',
  'metageneration',
  'size',
  'etag',
  'timeCreated',
  'updated',
  'timeStorageClassUpdated',
  'timeFinalized',
  'componentCount',
  'owner',
];
const CARRIED = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
  'metadata',
  'storageClass',
  'customTime',
  'temporaryHold',
  'eventBasedHold',
];

const metaKey = (bucket: string, object: string): string => `b/${bucket}/o/${object}`;
const mediaKey = (bucket: string, object: string): string => `b/${bucket}/media/${object}`;

export function registerObjects(r: Router): void {
  r.add({ api: 'storage', method: 'POST', path: '/upload/storage/v1/b/{bucket}/o' }, (req, ctx) =>
    upload(req, ctx),
  );
  r.add({ api: 'storage', method: 'GET', path: '/storage/v1/b/{bucket}/o' }, (req, ctx) =>
    list(req, ctx),
  );
  for (const prefix of ['/storage/v1', '/download/storage/v1']) {
    r.add({ api: 'storage', method: 'GET', path: `${prefix}/b/{bucket}/o/{object}` }, (req, ctx) =>
      read(req, ctx),
    );
  }
  r.add(
    { api: 'storage', method: 'PATCH', path: '/storage/v1/b/{bucket}/o/{object}' },
    (req, ctx) => patch(req, ctx),
  );
  r.add(
    { api: 'storage', method: 'DELETE', path: '/storage/v1/b/{bucket}/o/{object}' },
    (req, ctx) => {
      const { bucket, object } = req.params;
      const current = live(req, ctx);
      checkPreconditions(req, current);
      ctx.store.delete(metaKey(bucket, object));
      ctx.store.delete(mediaKey(bucket, object));
      return new Reply(204);
    },
  );
}

/** The object named in the path (at `generation`, if given), or 404. */
function live(req: EmuRequest, ctx: EmuContext): Resource {
  const { bucket, object } = req.params;
  bucketOr404(ctx, bucket);
  const found = ctx.store.get(metaKey(bucket, object));
  const generation = req.query.get('generation');
  if (!found || (generation !== null && generation !== found.generation))
    throw noSuchObject(bucket, object);
  return found;
}

function read(req: EmuRequest, ctx: EmuContext): Resource | Reply {
  const current = live(req, ctx);
  checkPreconditions(req, current, true);
  if (req.query.get('alt') !== 'media') return projected(req, ctx, current);
  const data = Buffer.from(
    ctx.store.get(mediaKey(current.bucket, current.name))?.data ?? '',
    'base64',
  );
  return new Reply(200, undefined, data, current.contentType);
}

function upload(req: EmuRequest, ctx: EmuContext): Resource {
  const bucket = bucketOr404(ctx, req.params.bucket);
  const type = req.query.get('uploadType');
  let meta: Resource = {};
  let data: Buffer;
  let mediaType = header(req, 'content-type');

  if (type === 'media') {
    data = req.rawBody;
  } else if (type === 'multipart') {
    const [metaPart, mediaPart] = multipart(req);
    meta = JSON.parse(metaPart.body.toString('utf8'));
    data = mediaPart.body;
    mediaType = mediaPart.type;
  } else if (type === 'resumable') {
    throw badRequest(
      'The emulator does not model resumable uploads; use uploadType=media or multipart.',
    );
  } else {
    throw badRequest(`Invalid upload type: ${type ?? ''}`);
  }

  const name = req.query.get('name') ?? meta.name;
  if (!name) throw required('name');
  checkObjectName(name);
  const current = ctx.store.get(metaKey(bucket.name, name));
  checkPreconditions(req, current);
  const md5Hash = md5Base64(data);
  const crc32c = crc32cBase64(data);
  if (meta.md5Hash && meta.md5Hash !== md5Hash) {
    throw badRequest(
      `Provided MD5 hash "${meta.md5Hash}" doesn't match calculated MD5 hash "${md5Hash}".`,
    );
  }
  if (meta.crc32c && meta.crc32c !== crc32c) {
    throw badRequest(
      `Provided CRC32C "${meta.crc32c}" doesn't match calculated CRC32C "${crc32c}".`,
    );
  }

  const now = nowIso();
  const generation = nextGeneration(current?.generation);
  const object: Resource = {
    kind: 'storage#object',
    ...carried(meta),
    id: `${bucket.name}/${name}/${generation}`,
    selfLink: `https://www.googleapis.com/storage/v1/b/${bucket.name}/o/${encodeURIComponent(name)}`,
    mediaLink:
      `https://storage.googleapis.com/download/storage/v1/b/${bucket.name}/o/` +
      `${encodeURIComponent(name)}?generation=${generation}&alt=media`,
    name,
    bucket: bucket.name,
    generation,
    metageneration: '1',
    contentType: meta.contentType ?? (mediaType || 'application/octet-stream'),
    storageClass: meta.storageClass ?? bucket.storageClass,
    size: String(data.length),
    md5Hash,
    crc32c,
    etag: protoEtag([generation, 1]),
    timeCreated: now,
    updated: now,
    timeStorageClassUpdated: now,
    timeFinalized: now,
  };
  ctx.store.put(metaKey(bucket.name, name), object);
  ctx.store.put(mediaKey(bucket.name, name), { data: data.toString('base64') });
  return object;
}

function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const current = live(req, ctx);
  checkPreconditions(req, current);
  const input = body(req);
  for (const f of OUTPUT_ONLY) delete input[f];
  if (input.name !== undefined && input.name !== current.name)
    throw badRequest('The object name cannot be changed.');
  const next: Resource = { ...current };
  for (const [k, v] of Object.entries(carried(input, true))) {
    if (v === null) delete next[k];
    else if (k === 'metadata' && next.metadata)
      next.metadata = dropNulls({ ...next.metadata, ...(v as Resource) });
    else next[k] = v;
  }
  const metageneration = String(Number(current.metageneration) + 1);
  Object.assign(next, {
    metageneration,
    updated: nowIso(),
    etag: protoEtag([current.generation, metageneration]),
  });
  ctx.store.put(metaKey(current.bucket, current.name), next);
  return next;
}

function list(req: EmuRequest, ctx: EmuContext): Resource {
  const bucket = bucketOr404(ctx, req.params.bucket).name;
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter');
  // Folders exist only in hierarchical-namespace buckets (not emulated): with
  // none, including them as prefixes changes nothing.
  req.query.get('includeFoldersAsPrefixes');
  const projection = req.query.get('projection') ?? 'noAcl';
  if (!['noAcl', 'full'].includes(projection)) throw badRequest(`Invalid projection: ${projection}`);
  const items: Resource[] = [];
  const prefixes = new Set<string>();
  for (const [, object] of ctx.store.entries(`b/${bucket}/o/${prefix}`)) {
    const rest = object.name.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + delimiter!.length));
    else items.push(object);
  }
  const out: Resource = { kind: 'storage#objects', ...page(items, 'items', req, 'maxResults') };
  out.items &&= out.items.map((o: Resource) => projected(req, ctx, o));
  if (prefixes.size) out.prefixes = [...prefixes].sort();
  return out;
}

function carried(input: Resource, keepNulls = false): Resource {
  const out: Resource = {};
  for (const f of CARRIED)
    if (input[f] !== undefined && (keepNulls || input[f] !== null)) out[f] = input[f];
  return out;
}

function dropNulls(obj: Resource): Resource {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null));
}

/** GCS object naming rules: 1-1024 bytes of UTF-8, no CR/LF, not `.` or `..`. */
function checkObjectName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (
    bytes < 1 ||
    bytes > 1024 ||
    /[\r\n]/.test(name) ||
    name === '.' ||
    name === '..' ||
    name.startsWith('.well-known/acme-challenge/')
  ) {
    throw badRequest(`Invalid object name: '${name}'`);
  }
}
