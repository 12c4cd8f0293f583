import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtWorkspace } from '../helpers/built.js';
import { changeCloud, check, doctor, notPassing, PROJECT } from './doctor-run.js';

// The cluster group on the built GPU example (foundation and cluster): a
// fresh cluster passes; a cluster unlike env.json fails by name; a cluster
// not created yet is a warning that says how to create it. The example
// environment names no cluster, so the group says nothing there.

const CLUSTER = `projects/${PROJECT}/regions/us-central1/clusters/gpu-cluster`;

describe('doctor: cluster', () => {
  it('passes every cluster check on a fresh GPU environment', async () => {
    const run = await doctor(await builtWorkspace('gpu'));
    assert.deepEqual(run.checks.filter((c) => c.name.startsWith('cluster.')).map((c) => [c.name, c.status]), [
      ['cluster.created', 'pass'],
      ['cluster.metadata', 'pass'],
      ['cluster.shielded-vm', 'pass'],
      ['cluster.internal-ip-only', 'pass'],
      ['cluster.subnetwork', 'pass'],
    ]);
    const metadata = check(run, 'cluster.metadata').evidence;
    for (const key of ['startup-script-url', 'http-proxy', 'https-proxy', 'no-proxy', 'http-proxy-pem-uri',
      'private_secret_name', 'modulus_md5sum', 'secret_version']) {
      assert.ok(metadata.includes(key), `${key} in ${metadata}`);
    }
    assert.match(check(run, 'cluster.shielded-vm').evidence, /enableSecureBoot true/);
  });

  it('says nothing about a cluster when env.json names none', async () => {
    const run = await doctor(await builtWorkspace());
    assert.deepEqual(run.checks.filter((c) => c.name.startsWith('cluster.')), []);
  });

  it('fails by name when the cluster differs from env.json: metadata, Secure Boot, external IPs, subnet, ERROR', async () => {
    const ws = await builtWorkspace('gpu');
    await changeCloud(ws, async (api) => {
      await api.seed(CLUSTER, (c) => {
        const g = c.config.gceClusterConfig;
        delete g.metadata['http-proxy-pem-uri'];
        g.metadata['https-proxy'] = 'other-proxy:3128';
        g.shieldedInstanceConfig.enableSecureBoot = false;
        g.internalIpOnly = false;
        g.subnetworkUri = g.subnetworkUri.replace('gpu-subnet', 'dpgce-private');
        c.status = { ...c.status, state: 'ERROR', detail: 'Initialization action failed' };
        return c;
      });
    });
    const run = await doctor(ws);
    assert.deepEqual(notPassing(run, 'cluster.'), [
      'cluster.created fail', 'cluster.metadata fail', 'cluster.shielded-vm fail',
      'cluster.internal-ip-only fail', 'cluster.subnetwork fail',
    ]);
    assert.match(check(run, 'cluster.created').evidence, /gpu-cluster is in state ERROR: Initialization action failed/);
    const metadata = check(run, 'cluster.metadata');
    assert.equal(metadata.evidence, 'http-proxy-pem-uri is (absent), env.json implies "gs://dpgce-gpu-proxy-cert/proxy.cer"; ' +
      'https-proxy is "other-proxy:3128", env.json implies "swp.your.domain.com:3128"');
    assert.match(metadata.fix, /`dpgce up` replaces the cluster/);
    assert.equal(check(run, 'cluster.shielded-vm').evidence,
      'shieldedInstanceConfig: enableSecureBoot is false, env.json asks true (SECURE_BOOT)');
    assert.match(check(run, 'cluster.internal-ip-only').evidence, /internalIpOnly is false: nodes get external IPs/);
    assert.match(check(run, 'cluster.subnetwork').evidence, /subnetworks\/dpgce-private, not SUBNET gpu-subnet/);
    assert.equal(run.code, 1);
  });

  it('warns, with the command, when the configured cluster does not exist yet', async () => {
    const ws = await builtWorkspace('gpu');
    await changeCloud(ws, async (api) => {
      await api.done('DELETE', `/v1/${CLUSTER}`);
    });
    const run = await doctor(ws);
    const c = check(run, 'cluster.created');
    assert.equal(c.status, 'warn');
    assert.equal(c.evidence, `CLUSTER_NAME gpu-cluster is configured but cluster ${CLUSTER} does not exist yet`);
    assert.match(c.fix, /dpgce cluster create.*dpgce up/);
    assert.deepEqual(run.checks.filter((x) => x.name.startsWith('cluster.')).map((x) => x.name), ['cluster.created']);
  });
});
