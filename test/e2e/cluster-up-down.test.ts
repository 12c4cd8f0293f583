import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestLog, runCli, stateResources } from '../helpers/cli.js';
import { gpuWorkspace, storedCluster } from '../helpers/gpu.js';

// Issue 4's first must-show, end to end: `secure-boot keys` then `up` with
// examples/env-gpu.json builds the foundation and a GPU cluster with Secure
// Boot and a custom image; the emulator's stored cluster carries what the
// request asked for; `down` deletes the cluster first and the secrets only
// when this environment owns them.

const PROJECT = 'dpgce-demo-project';

describe('dpgce up with examples/env-gpu.json on the embedded emulator', async () => {
  const ws = await gpuWorkspace();
  const target = ['--env', ws.env, '--local', '--local-state', ws.state];
  const cli = (...args: string[]) => runCli([...args, ...target], { cwd: ws.dir });

  it('secure-boot keys stores the key pair, then up builds the foundation and the cluster', async () => {
    const keys = await cli('secure-boot', 'keys', '--json');
    assert.equal(keys.code, 0, keys.stderr);
    const up = await cli('up', '--yes', '--json');
    assert.equal(up.code, 0, up.stderr);
    const changes = JSON.parse(up.stdout).changes;
    assert.ok(changes.every((c: any) => c.status === 'done'));
    assert.equal(changes.at(-1).address, 'dataproc-cluster.main', 'the cluster comes last');
    assert.ok(changes.some((c: any) => c.kind === 'gateway'));
    assert.ok(changes.some((c: any) => c.address === 'secret-iam.signing-cert'));
  });

  it('stores the cluster with every requested field', () => {
    const cluster = storedCluster(stateResources(ws.state))!;
    const c = cluster.config;
    const g = c.gceClusterConfig;
    assert.equal(cluster.status.state, 'RUNNING');
    assert.equal(g.internalIpOnly, true);
    assert.equal(
      g.subnetworkUri,
      `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/us-central1/subnetworks/gpu-subnet`,
    );
    assert.deepEqual(g.tags, ['gpu-cluster-node']);
    assert.equal(g.serviceAccount, `gpu-cluster-sa@${PROJECT}.iam.gserviceaccount.com`);
    assert.deepEqual(g.shieldedInstanceConfig, {
      enableIntegrityMonitoring: true,
      enableSecureBoot: true,
      enableVtpm: true,
    });
    assert.equal(c.configBucket, 'dpgce-gpu-staging');
    assert.equal(c.tempBucket, 'dpgce-gpu-temp');
    for (const group of [c.masterConfig, c.workerConfig]) {
      assert.match(
        group.imageUri,
        /\/projects\/dpgce-demo-project\/global\/images\/dataproc-2-2-deb12-secure-boot-gpu$/,
      );
      assert.match(group.machineTypeUri, /\/zones\/us-central1-a\/machineTypes\/n1-standard-8$/);
      assert.equal(group.accelerators.length, 1);
      assert.equal(group.accelerators[0].acceleratorCount, 1);
      assert.match(
        group.accelerators[0].acceleratorTypeUri,
        /\/acceleratorTypes\/nvidia-tesla-t4$/,
      );
    }
    assert.equal(c.workerConfig.numInstances, 2);
    assert.equal(cluster.labels['dpgce-env'], 'gpu-cluster');
  });

  it('gives the nodes the boot script, the proxy, its CA and the five signing keys as metadata', () => {
    const m = storedCluster(stateResources(ws.state))!.config.gceClusterConfig.metadata;
    assert.equal(
      m['startup-script-url'],
      'gs://dpgce-gpu-staging/custom-image-deps/gce-proxy-setup.sh',
    );
    assert.equal(m['http-proxy'], 'swp.your.domain.com:3128');
    assert.equal(m['https-proxy'], 'swp.your.domain.com:3128');
    assert.equal(m['no-proxy'], '.corp.example,10.10.0.0/24,10.11.0.0/24', 'commas intact');
    assert.equal(m['http-proxy-pem-uri'], 'gs://dpgce-gpu-proxy-cert/proxy.cer');
    assert.equal(m['gpu-driver-provider'], 'NVIDIA');
    assert.equal(m.private_secret_name, 'gpu-cluster-efi-db-priv-key');
    assert.equal(m.public_secret_name, 'gpu-cluster-efi-db-pub-key');
    assert.equal(m.secret_project, PROJECT);
    assert.equal(m.secret_version, '1');
    assert.match(m.modulus_md5sum, /^[0-9a-f]{32}$/);
    assert.equal(
      Object.keys(m).filter((k) => k.startsWith('startup-script')).length,
      1,
      'F14: one startup key',
    );
  });

  it('a second up changes nothing and sends no mutating request', async () => {
    const before = requestLog(ws.state).length;
    const r = await cli('up', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).changes, []);
    assert.deepEqual(
      requestLog(ws.state)
        .slice(before)
        .filter((l) => l.mutating),
      [],
    );
  });

  it('down deletes the cluster before anything else, and the owned secrets', async () => {
    const before = requestLog(ws.state).length;
    const r = await cli('down', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    const changes = JSON.parse(r.stdout).changes;
    assert.equal(changes[0].address, 'dataproc-cluster.main');
    assert.ok(changes.some((c: any) => c.address === 'secret.signing-key'));
    assert.ok(changes.some((c: any) => c.address === 'secret.signing-cert'));

    // The cluster's DELETE is the first change, and nothing else changes
    // until its operation has been followed to the end.
    const log = requestLog(ws.state).slice(before);
    // The run lock (an object in the staging bucket) is taken before and released after.
    const isLock = (l: { method: string; path: string }): boolean =>
      (l.method === 'POST' && l.path.startsWith('/upload/storage/')) ||
      decodeURIComponent(l.path).endsWith('/gpu-cluster.lock');
    const mutating = log.map((l, i) => ({ ...l, i })).filter((l) => l.mutating && !isLock(l));
    assert.match(mutating[0].path, /\/clusters\/gpu-cluster$/);
    assert.equal(mutating[0].method, 'DELETE');
    const lastDataproc = Math.max(...log.map((l, i) => (l.api === 'dataproc' ? i : -1)));
    assert.ok(
      mutating.slice(1).every((l) => l.i > lastDataproc),
      'no other change while the cluster is deleted',
    );
    const left = Object.keys(stateResources(ws.state)).filter((k) =>
      /\/(secrets|clusters)\/[^/]+$/.test(k),
    );
    assert.deepEqual(left, []);
  });
});

describe('down with signing secrets this environment does not own', async () => {
  const ws = await gpuWorkspace({
    PRIVATE_SECRET_NAME: 'team-db-key',
    PUBLIC_SECRET_NAME: 'team-db-cert',
  });
  const target = ['--env', ws.env, '--local', '--local-state', ws.state];
  const cli = (...args: string[]) => runCli([...args, ...target], { cwd: ws.dir });

  it('leaves them in place', async () => {
    assert.equal((await cli('secure-boot', 'keys')).code, 0);
    // Someone else's pair: the same secrets, relabelled by another environment.
    const { startEmulator } = await import('../../src/emulator/server.js');
    const e = await startEmulator({ stateDir: ws.state });
    for (const [k, v] of e.store.entries('projects/')) {
      if (k.includes('/secrets/') && !k.includes('/versions/'))
        e.store.put(k, { ...v, labels: { 'dpgce-env': 'other' } });
    }
    await e.close();

    assert.equal((await cli('up', '--yes')).code, 0);
    const r = await cli('down', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    const addresses = JSON.parse(r.stdout).changes.map((c: any) => c.address);
    assert.ok(addresses.includes('dataproc-cluster.main'));
    assert.ok(!addresses.some((a: string) => a.startsWith('secret.')), addresses.join(' '));
    const secrets = Object.keys(stateResources(ws.state)).filter((k) =>
      /^projects\/\d+\/secrets\/[^/]+$/.test(k),
    );
    assert.equal(secrets.length, 2);
  });
});
