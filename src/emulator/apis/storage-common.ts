import { createHash } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { EmuContext, EmuRequest } from '../router.js';
import type { Resource } from '../store.js';

// What the Cloud Storage handlers share: GCS's error envelope (legacy
// `errors[]`, no gRPC status), its error texts, generation/metageneration
// preconditions, the checksums it reports (base64 MD5 and CRC32C), and its
// protobuf-shaped etags ("CAE=" is metageneration 1).

export class StorageError extends ApiError {
  override envelope(): unknown {
    const errors = [{ message: this.message, domain: 'global', reason: this.reason ?? 'invalid' }];
    return { error: { code: this.code, message: this.message, errors } };
  }
}

const err = (code: number, reason: string, message: string): StorageError =>
  new StorageError(code, message, undefined, reason);

export const noSuchBucket = (): StorageError =>
  err(404, 'notFound', 'The specified bucket does not exist.');
export const noSuchObject = (bucket: string, object: string): StorageError =>
  err(404, 'notFound', `No such object: ${bucket}/${object}`);
export const preconditionFailed = (): StorageError =>
  err(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
export const conflict = (message: string): StorageError => err(409, 'conflict', message);
export const badRequest = (message: string, reason = 'invalid'): StorageError =>
  err(400, reason, message);
export const required = (what: string): StorageError =>
  err(400, 'required', `Required parameter: ${what}`);

export const BUCKET_LINK = 'https://www.googleapis.com/storage/v1/b/';

/** The stored bucket or GCS's 404. */
export function bucketOr404(ctx: EmuContext, bucket: string): Resource {
  const found = ctx.store.get(`b/${bucket}`);
  if (!found) throw noSuchBucket();
  return found;
}

/**
 * `ifGenerationMatch`, `ifGenerationNotMatch`, `ifMetagenerationMatch`,
 * `ifMetagenerationNotMatch` against the live resource (absent = generation
 * 0). A failed "not match" on a read is 304 Not Modified; anything else 412.
 */
export function checkPreconditions(
  req: EmuRequest,
  current: Resource | undefined,
  read = false,
): void {
  const q = (name: string): string | null => req.query.get(name);
  const generation = current?.generation ?? '0';
  const metageneration = current?.metageneration;
  const notModified = (): ApiError =>
    read ? new StorageError(304, '', undefined, 'notModified') : preconditionFailed();

  if (q('ifGenerationMatch') !== null && q('ifGenerationMatch') !== generation)
    throw preconditionFailed();
  if (q('ifGenerationNotMatch') !== null && q('ifGenerationNotMatch') === generation)
    throw notModified();
  if (q('ifMetagenerationMatch') !== null && q('ifMetagenerationMatch') !== metageneration)
    throw preconditionFailed();
  if (q('ifMetagenerationNotMatch') !== null && q('ifMetagenerationNotMatch') === metageneration)
    throw notModified();
}

export const md5Base64 = (data: Buffer): string => createHash('md5').update(data).digest('base64');

/** CRC32C (Castagnoli), big-endian, base64 — the form GCS reports. */
export function crc32cBase64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** An etag as GCS builds them: protobuf fields 1 (generation) and 2 (metageneration). */
export function protoEtag(fields: (string | number)[]): string {
  const bytes: number[] = [];
  fields.forEach((value, i) => {
    bytes.push(((i + 1) << 3) | 0);
    let n = BigInt(value);
    do {
      const low = Number(n & 0x7fn);
      n >>= 7n;
      bytes.push(n > 0n ? low | 0x80 : low);
    } while (n > 0n);
  });
  return Buffer.from(bytes).toString('base64');
}

/** A new generation: microseconds, strictly after the previous one. */
export function nextGeneration(previous?: string): string {
  const now = BigInt(Date.now()) * 1000n;
  const after = previous ? BigInt(previous) + 1n : 0n;
  return (now > after ? now : after).toString();
}

/**
 * `projection=full` adds the object's owner and, unless the bucket has
 * uniform bucket-level access, its ACL: the project teams, as a new object
 * gets them from the default object ACL (the uploader's own entry is not
 * modelled).
 */
export function projected(req: EmuRequest, ctx: EmuContext, object: Resource): Resource {
  if (req.query.get('projection') !== 'full') return object;
  const bucket = bucketOr404(ctx, object.bucket);
  const n = bucket.projectNumber;
  const out: Resource = { ...object, owner: { entity: `project-owners-${n}` } };
  if (bucket.iamConfiguration?.uniformBucketLevelAccess?.enabled) return out;
  out.acl = ([['owners', 'OWNER'], ['editors', 'OWNER'], ['viewers', 'READER']] as const).map(([team, role]) => ({
    kind: 'storage#objectAccessControl', id: `${object.bucket}/${object.name}/${object.generation}/project-${team}-${n}`,
    bucket: object.bucket, object: object.name, generation: object.generation, entity: `project-${team}-${n}`,
    role, projectTeam: { projectNumber: n, team }, etag: object.etag,
  }));
  return out;
}
