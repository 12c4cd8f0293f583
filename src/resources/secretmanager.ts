import { GcpError } from '../gcp/errors.js';
import { orMissing } from './common.js';
import { propagationRetry } from './iam.js';
import { changeBinding, hasMember } from './iam-policy.js';
import { certModulusMd5, certificateFromPayload } from './signing-keys.js';
import { hasLabelMark, type Desired, type ResourceHandler, type RunContext } from './types.js';

// The two Secret Manager secrets of the module-signing key, and the cluster
// service account's access to each. `up` never creates the secrets (see
// graph-cluster.ts); it reads them: which version holds the material, and,
// for the certificate (public data), its modulus fingerprint, which the
// cluster metadata must carry. The private key is never read here.

async function secrets(ctx: RunContext) {
  return (await ctx.session.client('secretmanager')).projects.secrets;
}

/** The number of `.../versions/N`. */
const versionNumber = (name: unknown): string | undefined =>
  /\/versions\/(\d+)$/.exec(String(name ?? ''))?.[1];

/** Latest version of the certificate secret: its number and fingerprint, or why there is none. */
async function readCertificate(ctx: RunContext, d: Desired): Promise<Record<string, unknown>> {
  const api = await secrets(ctx);
  try {
    const res = await ctx.session.call(
      { method: 'secretmanager.versions.access', resource: `${d.name}/versions/latest` },
      () => api.versions.access({ name: `${d.name}/versions/latest` }),
    );
    const der = certificateFromPayload(Buffer.from(res.payload?.data ?? '', 'base64'));
    return { version: versionNumber(res.name), modulusMd5: certModulusMd5(der) };
  } catch (err) {
    if (err instanceof GcpError && (err.notFound || err.httpStatus === 400))
      return { problem: err.detail };
    if (err instanceof GcpError) throw err;
    return {
      problem: `its latest version is not an X.509 certificate (${(err as Error).message})`,
    };
  }
}

/** Latest version of the key secret: only its number and state, never its payload. */
async function readKeyVersion(ctx: RunContext, d: Desired): Promise<Record<string, unknown>> {
  const api = await secrets(ctx);
  const v: any = await orMissing(() =>
    ctx.session.call(
      { method: 'secretmanager.versions.get', resource: `${d.name}/versions/latest` },
      () => api.versions.get({ name: `${d.name}/versions/latest` }),
    ),
  );
  if (!v) return { problem: 'it has no version' };
  if (v.state !== 'ENABLED') return { problem: `its latest version is ${v.state}` };
  return { version: versionNumber(v.name) };
}

export const secret: ResourceHandler = {
  kind: 'secret',
  async read(ctx, d) {
    const api = await secrets(ctx);
    const actual: any = await orMissing(() =>
      ctx.session.call({ method: 'secretmanager.secrets.get', resource: d.name }, () =>
        api.get({ name: d.name }),
      ),
    );
    if (!actual) return { exists: false, owned: false };
    Object.assign(
      actual,
      d.spec.role === 'certificate' ? await readCertificate(ctx, d) : await readKeyVersion(ctx, d),
    );
    return { exists: true, owned: hasLabelMark(actual.labels, ctx.names.ownerMark), actual };
  },
  diff: () => [],
  async create(_ctx, d) {
    // Never planned (adoption `observe`); kept so a bug says what to do.
    throw new Error(`${d.name} is created by \`dpgce secure-boot keys\`, not by up`);
  },
  async delete(ctx, d) {
    const api = await secrets(ctx);
    await ctx.session.call({ method: 'secretmanager.secrets.delete', resource: d.name }, () =>
      api.delete({ name: d.name }),
    );
  },
  describe: (d, o) => {
    const what =
      d.spec.role === 'certificate'
        ? `certificate, modulus md5 ${o.actual?.modulusMd5 ?? '?'}`
        : 'private key';
    return o.actual?.version
      ? `${what}, version ${o.actual.version}`
      : `${what}: ${o.actual?.problem ?? 'no version'}`;
  },
};

async function secretPolicy(ctx: RunContext, resource: string) {
  const api = await secrets(ctx);
  return {
    get: () =>
      ctx.session.call({ method: 'secretmanager.secrets.getIamPolicy', resource }, () =>
        api.getIamPolicy({ resource, 'options.requestedPolicyVersion': 3 }),
      ),
    set: (policy: object) =>
      ctx.session.call(
        { method: 'secretmanager.secrets.setIamPolicy', resource },
        () => api.setIamPolicy({ resource, requestBody: { policy } }),
        propagationRetry,
      ),
  };
}

/** The cluster service account may read this one secret (and, with its twin, only these two). */
export const secretIam: ResourceHandler = {
  kind: 'secret-iam',
  async read(ctx, d) {
    const { get } = await secretPolicy(ctx, d.spec.secret);
    return { exists: hasMember(await get(), d.spec.role, d.spec.member), owned: true };
  },
  diff: () => [],
  async create(ctx, d) {
    const { get, set } = await secretPolicy(ctx, d.spec.secret);
    await changeBinding(get, set, d.spec.role, d.spec.member, true);
  },
  async delete(ctx, d) {
    const { get, set } = await secretPolicy(ctx, d.spec.secret);
    await changeBinding(get, set, d.spec.role, d.spec.member, false);
  },
  describe: (d) => `${d.spec.role} on ${d.spec.secret} for ${d.spec.member}`,
};
