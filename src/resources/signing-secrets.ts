import type { secretmanager_v1 } from 'googleapis/build/src/apis/secretmanager/v1.js';
import { GcpError } from '../gcp/errors.js';
import { orMissing } from './common.js';
import {
  certificateFromPayload,
  certificatePayload,
  checkedMaterial,
  generateSigningMaterial,
  type SigningMaterial,
} from './signing-keys.js';
import type { RunContext } from './types.js';

// `dpgce secure-boot keys`: the module-signing key pair in Secret Manager,
// created once and reused after. Both secrets are read back and their moduli
// compared before anything is reported, so a key and a certificate that do
// not belong together are never handed to a cluster. Neither secret is
// touched when only one of them exists: that needs a person to decide.

export interface SigningSecrets {
  created: boolean;
  /** The version both secrets hold the material in (`secret_version`). */
  version: string;
  modulusMd5: string;
  certificateDer: Buffer;
}

type Api = secretmanager_v1.Resource$Projects$Secrets;

async function api(ctx: RunContext): Promise<Api> {
  return (await ctx.session.client('secretmanager')).projects.secrets;
}

const versionOf = (name: unknown): string =>
  /\/versions\/(\d+)$/.exec(String(name ?? ''))?.[1] ?? '';

async function access(
  ctx: RunContext,
  secrets: Api,
  name: string,
): Promise<{ data: Buffer; version: string }> {
  const res = await ctx.session.call(
    { method: 'secretmanager.versions.access', resource: `${name}/versions/latest` },
    () => secrets.versions.access({ name: `${name}/versions/latest` }),
  );
  return { data: Buffer.from(res.payload?.data ?? '', 'base64'), version: versionOf(res.name) };
}

async function createSecret(
  ctx: RunContext,
  secrets: Api,
  id: string,
  role: string,
  payload: Buffer,
): Promise<string> {
  const parent = `projects/${ctx.config.projectId}`;
  const name = `${parent}/secrets/${id}`;
  await ctx.session.call({ method: 'secretmanager.secrets.create', resource: name }, () =>
    secrets.create({
      parent,
      secretId: id,
      requestBody: {
        replication: { automatic: {} },
        labels: { 'dpgce-env': ctx.names.ownerMark, 'dpgce-role': role },
      },
    }),
  );
  const v = await ctx.session.call(
    { method: 'secretmanager.secrets.addVersion', resource: name },
    () =>
      secrets.addVersion({
        parent: name,
        requestBody: { payload: { data: payload.toString('base64') } },
      }),
  );
  return versionOf(v.name);
}

/** The existing pair, checked; throws with what to do when it is not usable. */
async function reuse(
  ctx: RunContext,
  secrets: Api,
  keyName: string,
  certName: string,
): Promise<SigningSecrets> {
  const key = await access(ctx, secrets, keyName);
  const cert = await access(ctx, secrets, certName);
  if (key.version !== cert.version) {
    throw new Error(
      `the latest versions of ${keyName} (${key.version}) and ${certName} (${cert.version}) differ; ` +
        'the GPU driver action reads one secret_version from both: add the matching material as a new version ' +
        'to each, or delete both secrets and run `dpgce secure-boot keys` again',
    );
  }
  let material: SigningMaterial;
  try {
    material = checkedMaterial(key.data.toString('utf8'), certificateFromPayload(cert.data));
  } catch (err) {
    throw new Error(
      `${keyName} and ${certName} do not hold a matching key pair: ${(err as Error).message}`,
    );
  }
  return {
    created: false,
    version: cert.version,
    modulusMd5: material.modulusMd5,
    certificateDer: material.certificateDer,
  };
}

export async function ensureSigningSecrets(ctx: RunContext): Promise<SigningSecrets> {
  const secrets = await api(ctx);
  const p = `projects/${ctx.config.projectId}/secrets`;
  const keyName = `${p}/${ctx.names.signingKeySecret}`;
  const certName = `${p}/${ctx.names.signingCertSecret}`;
  const get = (name: string) =>
    orMissing(() =>
      ctx.session.call({ method: 'secretmanager.secrets.get', resource: name }, () =>
        secrets.get({ name }),
      ),
    );

  const [key, cert] = await Promise.all([get(keyName), get(certName)]);
  if (key && cert) return reuse(ctx, secrets, keyName, certName);
  if (key || cert) {
    const [have, missing] = key ? [keyName, certName] : [certName, keyName];
    throw new Error(
      `${have} exists but ${missing} does not; dpgce will not pair an existing half with a new ` +
        'key: delete it, or point PRIVATE_SECRET_NAME and PUBLIC_SECRET_NAME at a complete pair',
    );
  }

  const material = await generateSigningMaterial(`dpgce module signing ${ctx.names.ownerMark}`);
  const keyVersion = await createSecret(
    ctx,
    secrets,
    ctx.names.signingKeySecret,
    'module-signing-key',
    Buffer.from(material.privateKeyPem),
  );
  const certVersion = await createSecret(
    ctx,
    secrets,
    ctx.names.signingCertSecret,
    'module-signing-cert',
    certificatePayload(material.certificateDer),
  );
  if (keyVersion !== certVersion) {
    throw new GcpError(
      { method: 'secretmanager.secrets.addVersion', resource: certName },
      0,
      'INTERNAL',
      '',
      `new secrets got versions ${keyVersion} and ${certVersion}; expected the same`,
    );
  }
  return {
    created: true,
    version: certVersion,
    modulusMd5: material.modulusMd5,
    certificateDer: material.certificateDer,
  };
}
