import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { builtWorkspace } from '../helpers/built.js';
import { changeCloud, check, doctor, notPassing, POOL, PROJECT, type Api } from './doctor-run.js';

// The node group on a built example environment: the boot script and the
// proxy CA object as nodes fetch them, and the cluster service account's
// right to read both.

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const SA = `dpgce-sa@${PROJECT}.iam.gserviceaccount.com`;
const SCRIPT = 'custom-image-deps/gce-proxy-setup.sh';

/** Another self-signed CA, as someone might upload by mistake. */
async function otherCaPem(): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Some other CA', keys, signingAlgorithm: alg, notBefore: new Date(), notAfter: new Date(Date.now() + 864e5),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return cert.toString('pem');
}

/** Dataproc Worker holds storage.objects.get too, so a test of lost access takes it away as well. */
async function dropProjectRole(api: Api, role: string): Promise<void> {
  const project = await api.ok('POST', `/v1/projects/${PROJECT}:getIamPolicy`, {});
  project.bindings = project.bindings.filter((b: any) => b.role !== role);
  await api.ok('POST', `/v1/projects/${PROJECT}:setIamPolicy`, { policy: project });
}

describe('doctor: node readiness', () => {
  it('passes every node check on a fresh environment', async () => {
    const run = await doctor(await builtWorkspace());
    assert.deepEqual(run.checks.filter((c) => c.name.startsWith('node.')).map((c) => [c.name, c.status]), [
      ['node.boot-script', 'pass'],
      ['node.proxy-ca-pem', 'pass'],
      ['node.service-account-reads', 'pass'],
    ]);
    assert.match(check(run, 'node.service-account-reads').evidence,
      /proxy\.cer \(roles\/storage\.objectViewer on gs:\/\/dpgce-demo-proxy-cert\)/);
  });

  it('fails boot-script when the object is changed, with the hashes and the --adopt fix', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.upload('dpgce-demo-staging', SCRIPT, '#!/bin/bash\necho patched by hand\n');
    });
    const run = await doctor(ws);
    const c = check(run, 'node.boot-script');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /^gs:\/\/dpgce-demo-staging\/custom-image-deps\/gce-proxy-setup\.sh has md5 \S+ \(generation \d+, updated \S+\), not this version's script \(md5 \S+\)$/);
    assert.match(c.fix, /dpgce up --adopt.*dpgce-env=dpgce/);
    assert.equal(run.code, 1);
    assert.deepEqual(notPassing(run, 'node.'), ['node.boot-script fail']);
  });

  it('fails boot-script when the object is deleted', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.ok('DELETE', `/storage/v1/b/dpgce-demo-staging/o/${encodeURIComponent(SCRIPT)}`);
    });
    const c = check(await doctor(ws), 'node.boot-script');
    assert.equal(c.status, 'fail');
    assert.equal(c.evidence, `gs://dpgce-demo-staging/${SCRIPT} does not exist: nodes have no boot script`);
    // Gone is not "lost its mark": a plain `up` uploads it.
    assert.equal(c.fix, 'run `dpgce up`: it uploads the script');
  });

  it('fails proxy-ca-pem when the CA PEM object is replaced by another certificate', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.upload('dpgce-demo-proxy-cert', 'proxy.cer', await otherCaPem());
    });
    const c = check(await doctor(ws), 'node.proxy-ca-pem');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /^gs:\/\/dpgce-demo-proxy-cert\/proxy\.cer \(PROXY_CERT_GCS_PATH\) holds CN=Some other CA \(SHA-256 [0-9A-F:]+…\), but CA pool dpgce-swp-pool's current root is O=dpgce, CN=dpgce Secure Web Proxy TLS inspection root \(SHA-256 [0-9A-F:]+…\)/);
    assert.match(c.fix, /dpgce up --adopt/);
  });

  it('fails proxy-ca-pem when the CA PEM object is deleted', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.ok('DELETE', '/storage/v1/b/dpgce-demo-proxy-cert/o/proxy.cer');
    });
    const c = check(await doctor(ws), 'node.proxy-ca-pem');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /proxy\.cer \(PROXY_CERT_GCS_PATH\) does not exist: nodes cannot trust the proxy/);
    assert.equal(c.fix, "run `dpgce up`: it uploads the root CA's PEM");
  });

  it('fails proxy-ca-pem when a second CA is enabled in the pool, listing both roots and how to disable the other', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      // As `gcloud privateca roots create corp-root-2 --pool dpgce-swp-pool --auto-enable` sends it.
      await api.done('POST', `/v1/${POOL}/certificateAuthorities?certificateAuthorityId=corp-root-2`, {
        type: 'SELF_SIGNED', lifetime: '315360000s', keySpec: { algorithm: 'EC_P256_SHA256' },
        config: {
          subjectConfig: { subject: { commonName: 'corp root 2', organization: 'corp' } },
          x509Config: { caOptions: { isCa: true }, keyUsage: { baseKeyUsage: { certSign: true, crlSign: true } } },
        },
      });
      await api.done('POST', `/v1/${POOL}/certificateAuthorities/corp-root-2:enable`, {});
    });
    const c = check(await doctor(ws), 'node.proxy-ca-pem');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /^CA pool dpgce-swp-pool has 2 ENABLED CAs the proxy may sign with: (dpgce-swp-root|corp-root-2) \(.+\), (dpgce-swp-root|corp-root-2) \(.+\) \(either can sign\); but gs:\/\/dpgce-demo-proxy-cert\/proxy\.cer \(PROXY_CERT_GCS_PATH\) holds O=dpgce, CN=dpgce Secure Web Proxy TLS inspection root \(SHA-256 [0-9A-F:]+…\), without the root of corp-root-2/);
    assert.match(c.evidence, /corp-root-2 \(O=corp, CN=corp root 2/);
    assert.match(c.fix, /^disable the CA dpgce did not create \(gcloud privateca roots disable corp-root-2 --pool=dpgce-swp-pool --location=us-central1 --project=dpgce-demo-project\), or publish both roots/);
    // `up` exports only its own root, so it is not offered as the fix.
    assert.doesNotMatch(c.fix, /run `dpgce up`/);
  });

  it('fails service-account-reads when no role of the account reads the proxy CA any more', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      const bucket = await api.ok('GET', '/storage/v1/b/dpgce-demo-proxy-cert/iam');
      bucket.bindings = bucket.bindings.filter((b: any) => b.role !== 'roles/storage.objectViewer');
      await api.ok('PUT', '/storage/v1/b/dpgce-demo-proxy-cert/iam', bucket);
      await dropProjectRole(api, 'roles/dataproc.worker');
    });
    const c = check(await doctor(ws), 'node.service-account-reads');
    assert.equal(c.status, 'fail');
    assert.equal(c.evidence, `gs://dpgce-demo-proxy-cert/proxy.cer: no role of ${SA} holds storage.objects.get: nodes cannot fetch it at boot`);
    assert.match(c.fix, /grants roles\/storage\.objectViewer on gs:\/\/dpgce-demo-proxy-cert/);
  });

  it('warns on service-account-reads when only a conditional grant could let the account read', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      const bucket = await api.ok('GET', '/storage/v1/b/dpgce-demo-proxy-cert/iam');
      const viewer = bucket.bindings.find((b: any) => b.role === 'roles/storage.objectViewer');
      viewer.condition = { title: 'until', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' };
      bucket.version = 3;
      await api.ok('PUT', '/storage/v1/b/dpgce-demo-proxy-cert/iam', bucket);
      await dropProjectRole(api, 'roles/dataproc.worker');
    });
    const c = check(await doctor(ws), 'node.service-account-reads');
    assert.equal(c.status, 'warn');
    assert.match(c.evidence, /not judged: roles\/storage\.objectViewer \(conditional\) on gs:\/\/dpgce-demo-proxy-cert/);
  });

  it('fails service-account-reads when the service account is deleted', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.ok('DELETE', `/v1/projects/${PROJECT}/serviceAccounts/${SA}`);
    });
    const c = check(await doctor(ws), 'node.service-account-reads');
    assert.equal(c.status, 'fail');
    assert.equal(c.evidence, `service account ${SA} does not exist, so nodes cannot run as it`);
    assert.match(c.fix, /dpgce up/);
  });
});
