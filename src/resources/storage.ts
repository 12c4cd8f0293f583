import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GcpError } from '../gcp/errors.js';
import { orMissing } from './common.js';
import { diffFields, hasLabelMark, type Desired, type ResourceHandler, type RunContext } from './types.js';

// Cloud Storage: the buckets, the service account's grants on them, and the
// two objects nodes read at boot. Buckets hold other people's data, so an
// object is ours only when its metadata carries our mark, and `down`
// deletes a bucket only once nothing else is in it.

const md5 = (text: string): string => createHash('md5').update(text).digest('base64');

async function storage(ctx: RunContext) {
  return ctx.session.client('storage');
}

export const bucket: ResourceHandler = {
  kind: 'bucket',
  async read(ctx, d) {
    const gcs = await storage(ctx);
    const actual: any = await orMissing(() => ctx.session.call({ method: 'storage.buckets.get', resource: d.name },
      () => gcs.buckets.get({ bucket: d.spec.name })));
    if (!actual) return { exists: false, owned: false };
    // Bucket names are global: the same name (and mark) may live in another project.
    const otherProject = String(actual.projectNumber) === await ctx.projectNumber() ? undefined : String(actual.projectNumber);
    const owned = !otherProject && hasLabelMark(actual.labels, ctx.names.ownerMark);
    if (otherProject) return { exists: true, owned, actual, otherProject };
    if (ctx.purpose === 'down' && owned) {
      actual.foreignObjectNames = await foreignObjects(ctx, d.spec.name);
      actual.foreignObjects = actual.foreignObjectNames.length;
    }
    return { exists: true, owned, actual };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'location', immutable: true, norm: (v) => String(v ?? '').toUpperCase() },
    { field: 'labels.dpgce-env' },
    { field: 'iamConfiguration.uniformBucketLevelAccess.enabled' },
  ]),
  async create(ctx, d) {
    const gcs = await storage(ctx);
    await ctx.session.call({ method: 'storage.buckets.insert', resource: d.name },
      () => gcs.buckets.insert({ project: ctx.config.projectId, requestBody: d.spec }));
  },
  async update(ctx, d) {
    const gcs = await storage(ctx);
    await ctx.session.call({ method: 'storage.buckets.patch', resource: d.name },
      () => gcs.buckets.patch({ bucket: d.spec.name,
        requestBody: { labels: d.spec.labels, iamConfiguration: d.spec.iamConfiguration } }));
  },
  async delete(ctx, d, o) {
    const gcs = await storage(ctx);
    // Only the foreign objects the plan showed, and only when asked: anything
    // written since (a job's output) makes the bucket delete fail, not vanish.
    const listed: string[] = ctx.deleteBucketContents ? o.actual?.foreignObjectNames ?? [] : [];
    for (const name of listed) {
      await ctx.session.call({ method: 'storage.objects.delete', resource: `${d.name}/objects/${name}` },
        () => gcs.objects.delete({ bucket: d.spec.name, object: name }));
    }
    // Our own run lock lives here: it goes last, just before the bucket.
    if (ctx.runLock && ctx.runLock.bucket === d.spec.name) await ctx.runLock.release();
    await ctx.session.call({ method: 'storage.buckets.delete', resource: d.name },
      () => gcs.buckets.delete({ bucket: d.spec.name }));
  },
  describe: (_d, o) => `${o.actual?.location ?? '?'}, uniform access ${o.actual?.iamConfiguration?.uniformBucketLevelAccess?.enabled ? 'on' : 'off'}`,
};

/** Names of objects in the bucket that do not carry our mark. */
async function foreignObjects(ctx: RunContext, bucketName: string): Promise<string[]> {
  const gcs = await storage(ctx);
  const out: string[] = [];
  let pageToken: string | undefined;
  do {
    const res = await ctx.session.call({ method: 'storage.objects.list', resource: `projects/_/buckets/${bucketName}` },
      () => gcs.objects.list({ bucket: bucketName, pageToken }));
    for (const o of res.items ?? []) {
      if (o.metadata?.['dpgce-env'] !== ctx.names.ownerMark) out.push(o.name ?? '');
    }
    pageToken = res.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

/** The bytes an object should hold; the proxy CA comes from the root CA. */
function content(ctx: RunContext, d: Desired): string | undefined {
  if (d.spec.contentFrom !== 'root-ca') return d.spec.content;
  const ca = ctx.observed.get('certificate-authority.root')?.actual;
  const pem = ca?.pemCaCertificates?.[0];
  return typeof pem === 'string' ? (pem.endsWith('\n') ? pem : `${pem}\n`) : undefined;
}

export const object: ResourceHandler = {
  kind: 'object',
  async read(ctx, d) {
    const gcs = await storage(ctx);
    const actual: any = await orMissing(() => ctx.session.call({ method: 'storage.objects.get', resource: d.name },
      () => gcs.objects.get({ bucket: d.spec.bucket, object: d.spec.object })));
    if (!actual) return { exists: false, owned: false };
    const want = content(ctx, d);
    // An object of a bucket in another project is never ours, whatever its metadata says.
    const inOtherProject = !!(d.parent && ctx.observed.get(d.parent)?.otherProject);
    return { exists: true, owned: !inOtherProject && actual.metadata?.['dpgce-env'] === ctx.names.ownerMark,
      actual: { ...actual, wantMd5: want === undefined ? actual.md5Hash : md5(want) } };
  },
  diff: (_d, o) => (o.actual?.wantMd5 === o.actual?.md5Hash ? []
    : [{ field: 'content (md5)', from: o.actual?.md5Hash, to: o.actual?.wantMd5, immutable: false }]),
  async create(ctx, d) {
    await upload(ctx, d, 0);
  },
  async update(ctx, d, o) {
    await upload(ctx, d, Number(o.actual?.generation));
  },
  async delete(ctx, d, o) {
    const gcs = await storage(ctx);
    // The generation precondition: never delete a version someone else wrote since we read it.
    await ctx.session.call({ method: 'storage.objects.delete', resource: d.name },
      () => gcs.objects.delete({ bucket: d.spec.bucket, object: d.spec.object, ifGenerationMatch: o.actual?.generation }));
  },
  describe: (_d, o) => `${o.actual?.size ?? '?'} bytes, ${o.actual?.contentType ?? ''}`,
};

/** Uploads with a generation precondition (0 = must not exist yet). */
async function upload(ctx: RunContext, d: Desired, generation: number): Promise<void> {
  const gcs = await storage(ctx);
  const text = await currentContent(ctx, d);
  await ctx.session.call({ method: 'storage.objects.insert', resource: d.name },
    () => gcs.objects.insert({
      bucket: d.spec.bucket, name: d.spec.object, ifGenerationMatch: String(generation),
      requestBody: { name: d.spec.object, contentType: d.spec.contentType, metadata: { 'dpgce-env': ctx.names.ownerMark } },
      media: { mimeType: d.spec.contentType, body: Readable.from([Buffer.from(text)]) },
    }, ctx.session.callOptions));
}

/** At apply time the root CA may be new: fetch its PEM if the read had none. */
async function currentContent(ctx: RunContext, d: Desired): Promise<string> {
  const known = content(ctx, d);
  if (known !== undefined) return known;
  const ca = ctx.observed.get('certificate-authority.root');
  const name = ca?.foundName;
  if (!name) throw new GcpError({ method: 'privateca.certificateAuthorities.get', resource: 'certificate-authority.root' }, 0, 'FAILED_PRECONDITION', '', 'the root CA is not known yet (this is a bug)');
  const pca = await ctx.session.client('privateca');
  const fresh: any = await ctx.session.call({ method: 'privateca.certificateAuthorities.get', resource: name },
    () => pca.projects.locations.caPools.certificateAuthorities.get({ name }));
  ctx.observed.set('certificate-authority.root', { ...ca, actual: fresh });
  return content(ctx, d) ?? '';
}

export { md5 };
