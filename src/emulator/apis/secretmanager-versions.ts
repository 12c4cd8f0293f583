import { ApiError } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, etagOf, nowIso } from './common.js';
import { crc32cBase64 } from './storage-common.js';
import { invalidArgument, secretName, secretOr404 } from './secretmanager-common.js';

// Secret versions (gcp-api-facts §18.5): numbered from 1, `latest` is the
// newest whatever its state (so a disabled newest version makes `latest`
// unreadable, as the service does), ENABLED -> DISABLED -> DESTROYED.
// Payloads are base64 of at most 64 KiB; dataCrc32c (an int64, sent as a
// decimal string) is checked when given and computed when not. Payload
// bytes are kept apart from the version, so no GET ever shows them.

const V = '/v1/projects/{project}/secrets/{secret}/versions';
const MAX_PAYLOAD = 64 * 1024;

const payloadKey = (version: string): string => `secretpayloads/${version}`;

/** CRC32C of the bytes, as the decimal string the API carries. */
const crc32c = (data: Buffer): string =>
  String(Buffer.from(crc32cBase64(data), 'base64').readUInt32BE(0));

function versionsOf(ctx: EmuContext, secret: string): Resource[] {
  return ctx.store
    .list(`${secret}/versions`)
    .sort((a, b) => Number(b.name.split('/').pop()) - Number(a.name.split('/').pop()));
}

/** A version by number or `latest`, or the API's 404. */
function versionOr404(ctx: EmuContext, req: EmuRequest): Resource {
  const secret = secretName(ctx, req.params.project, req.params.secret);
  secretOr404(ctx, secret);
  const wanted = req.params.version;
  const found =
    wanted === 'latest'
      ? versionsOf(ctx, secret)[0]
      : ctx.store.get(`${secret}/versions/${wanted}`);
  if (!found)
    throw new ApiError(
      404,
      `Secret Version [${secret}/versions/${wanted}] not found.`,
      'NOT_FOUND',
    );
  return found;
}

function addVersion(req: EmuRequest, ctx: EmuContext): Resource {
  const secret = secretName(ctx, req.params.project, req.params.secret);
  const parent = secretOr404(ctx, secret);
  const payload = body(req).payload;
  if (!payload || typeof payload.data !== 'string')
    throw invalidArgument("Field 'payload.data' is required.");
  const data = Buffer.from(payload.data, 'base64');
  if (data.length > MAX_PAYLOAD)
    throw invalidArgument(`Secret payload is ${data.length} bytes; the limit is 65536.`);
  const given = payload.dataCrc32c;
  if (given !== undefined && String(given) !== crc32c(data)) {
    throw invalidArgument(
      'Checksum mismatch: payload.data_crc32c does not match the CRC32C of payload.data.',
    );
  }
  const number = (Number(versionsOf(ctx, secret)[0]?.name.split('/').pop()) || 0) + 1;
  const name = `${secret}/versions/${number}`;
  const replication = parent.replication?.userManaged
    ? {
        userManaged: {
          replicas: parent.replication.userManaged.replicas.map((r: Resource) => ({
            location: r.location,
          })),
        },
      }
    : { automatic: {} };
  const version: Resource = {
    name,
    createTime: nowIso(),
    state: 'ENABLED',
    replicationStatus: replication,
  };
  if (given !== undefined) version.clientSpecifiedPayloadChecksum = true;
  version.etag = `"${etagOf(version).slice(0, 14)}"`;
  ctx.store.put(name, version);
  ctx.store.put(payloadKey(name), { data: payload.data, dataCrc32c: crc32c(data) });
  return version;
}

function access(req: EmuRequest, ctx: EmuContext): Resource {
  const version = versionOr404(ctx, req);
  if (version.state !== 'ENABLED') {
    throw new ApiError(
      400,
      `Secret Version [${version.name}] is in ${version.state} state.`,
      'FAILED_PRECONDITION',
    );
  }
  return { name: version.name, payload: { ...ctx.store.get(payloadKey(version.name)) } };
}

/** enable / disable / destroy: moves the state, refusing from DESTROYED. */
function transition(to: 'ENABLED' | 'DISABLED' | 'DESTROYED') {
  return (req: EmuRequest, ctx: EmuContext): Resource => {
    const version = versionOr404(ctx, req);
    if (version.state === 'DESTROYED') {
      throw new ApiError(
        400,
        `Secret Version [${version.name}] is in DESTROYED state.`,
        'FAILED_PRECONDITION',
      );
    }
    const etag = req.json?.etag;
    if (etag !== undefined && etag !== version.etag) {
      throw new ApiError(
        400,
        `The etag provided ${etag} does not match the current etag of the version.`,
        'FAILED_PRECONDITION',
      );
    }
    const next: Resource = { ...version, state: to };
    if (to === 'DESTROYED') {
      next.destroyTime = nowIso();
      ctx.store.delete(payloadKey(version.name));
    }
    next.etag = `"${etagOf({ ...next, etag: undefined }).slice(0, 14)}"`;
    ctx.store.put(version.name, next);
    return next;
  };
}

/** Removes every version (and payload) of a deleted secret. */
export function dropVersions(ctx: EmuContext, secret: string): void {
  for (const v of ctx.store.list(`${secret}/versions`)) {
    ctx.store.delete(v.name);
    ctx.store.delete(payloadKey(v.name));
  }
}

export function registerSecretVersions(r: Router): void {
  r.add(
    {
      api: 'secretmanager',
      method: 'POST',
      path: '/v1/projects/{project}/secrets/{secret}:addVersion',
    },
    addVersion,
  );
  r.add({ api: 'secretmanager', method: 'GET', path: V }, (req, ctx) => {
    const secret = secretName(ctx, req.params.project, req.params.secret);
    secretOr404(ctx, secret);
    const all = versionsOf(ctx, secret);
    return all.length ? { versions: all, totalSize: all.length } : {};
  });
  r.add({ api: 'secretmanager', method: 'GET', path: `${V}/{version}` }, (req, ctx) =>
    versionOr404(ctx, req),
  );
  r.add({ api: 'secretmanager', method: 'GET', path: `${V}/{version}:access` }, access);
  r.add(
    { api: 'secretmanager', method: 'POST', path: `${V}/{version}:enable` },
    transition('ENABLED'),
  );
  r.add(
    { api: 'secretmanager', method: 'POST', path: `${V}/{version}:disable` },
    transition('DISABLED'),
  );
  r.add(
    { api: 'secretmanager', method: 'POST', path: `${V}/{version}:destroy` },
    transition('DESTROYED'),
  );
}
