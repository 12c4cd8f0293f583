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
      ['cluster.drift', 'pass'],
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
    // Each of those fields is judged once, by its own check.
    assert.equal(check(run, 'cluster.drift').status, 'pass');
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

  it('fails drift and metadata when the cluster is recreated without properties, init actions, service account and with a second startup key', async () => {
    const ws = await builtWorkspace('gpu');
    await changeCloud(ws, async (api) => {
      // As `dpgce cluster command` run by hand without --properties, --initialization-actions and
      // --service-account, and with --metadata startup-script=...: delete, then create.
      const live = await api.ok('GET', `/v1/${CLUSTER}`);
      await api.done('DELETE', `/v1/${CLUSTER}`);
      const { config } = live;
      delete config.gceClusterConfig.serviceAccount;
      delete config.gceClusterConfig.networkUri; // the API fills it in from the subnetwork
      config.gceClusterConfig.metadata['startup-script'] = 'echo hello';
      delete config.initializationActions;
      config.softwareConfig = { imageVersion: config.softwareConfig.imageVersion };
      await api.done('POST', `/v1/projects/${PROJECT}/regions/us-central1/clusters`,
        { projectId: PROJECT, clusterName: live.clusterName, labels: live.labels, config });
    });
    const run = await doctor(ws);
    const metadata = check(run, 'cluster.metadata');
    assert.equal(metadata.status, 'fail');
    assert.match(metadata.evidence, /^startup-script is "echo hello" next to startup-script-url "gs:\/\/\S+: the VM runs both startup scripts/);
    const drift = check(run, 'cluster.drift');
    assert.equal(drift.status, 'fail');
    assert.match(drift.evidence, /^`plan` shows -\/\+ dataproc-cluster\.main: /);
    assert.match(drift.evidence, /config\.gceClusterConfig\.serviceAccount is "\d+-compute@developer\.gserviceaccount\.com", env\.json implies "gpu-cluster-sa@/);
    assert.match(drift.evidence, /config\.softwareConfig\.properties\.\S+ is \(absent\), env\.json implies /);
    assert.match(drift.evidence, /config\.initializationActions is \[\], env\.json implies \["gs:/);
    assert.doesNotMatch(drift.evidence, /metadata\.startup-script /, 'left to cluster.metadata');
    assert.match(drift.fix, /`dpgce up` replaces the cluster \(deletes it and creates it/);
    // The nodes now run as the Compute Engine default account: its reads are judged, not env.json's
    // account's (it holds Editor, so the buckets' legacy roles for project editors let it read).
    const reads = check(run, 'node.service-account-reads');
    assert.match(reads.evidence, /^\d+-compute@developer\.gserviceaccount\.com \(cluster gpu-cluster runs as it, not as env\.json's gpu-cluster-sa@dpgce-demo-project\.iam\.gserviceaccount\.com\) reads /);
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
