import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator/server.js';
import { requestLog, runCli, stateResources } from '../helpers/cli.js';
import { gpuWorkspace, storedCluster } from '../helpers/gpu.js';

// Plan-time refusals through the CLI: the run stops before any change with a
// message that says what to do (F24: Secure Boot, a stock image, a GPU and
// no signing secrets; F18: a cluster subnetwork without Private Google
// Access), and `cluster status` on a built environment.

describe('refusals before a cluster is created', () => {
  it('F24: up with Secure Boot, a stock image and a GPU but no signing secrets changes nothing', async () => {
    const ws = await gpuWorkspace({ CUSTOM_IMAGE_URI: undefined, IMAGE_VERSION: '2.2-debian12' });
    const r = await runCli(['up', '--yes', '--env', ws.env, '--local', '--local-state', ws.state], {
      cwd: ws.dir,
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /dataproc-cluster\.main: SECURE_BOOT is on and ACCELERATOR_TYPE nvidia-tesla-t4/,
    );
    assert.match(r.stderr, /CUSTOM_IMAGE_URI is not set/);
    assert.match(
      r.stderr,
      /signing secret\(s\) gpu-cluster-efi-db-priv-key and gpu-cluster-efi-db-pub-key do not exist/,
    );
    assert.match(r.stderr, /Run `dpgce secure-boot keys`/);
    assert.deepEqual(
      requestLog(ws.state).filter((l) => l.mutating),
      [],
      'nothing created',
    );
  });

  it('F18: cluster create stops on a cluster subnetwork whose Private Google Access was turned off', async () => {
    const ws = await gpuWorkspace({ SECURE_BOOT: false });
    const target = ['--env', ws.env, '--local', '--local-state', ws.state];
    const cli = (...args: string[]) => runCli([...args, ...target], { cwd: ws.dir });
    assert.equal((await cli('up', '--yes', '--no-create-cluster')).code, 0);

    // Someone turns Private Google Access off behind the tool's back.
    const e = await startEmulator({ stateDir: ws.state });
    const path =
      '/compute/v1/projects/dpgce-demo-project/regions/us-central1/subnetworks/gpu-subnet';
    const res = await fetch(`${e.url}${path}/setPrivateIpGoogleAccess`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ privateIpGoogleAccess: false }),
    });
    assert.equal(res.status, 200, await res.text());
    await e.close();

    const before = requestLog(ws.state).length;
    const r = await cli('cluster', 'create', '--yes');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /subnetwork gpu-subnet has Private Google Access off/);
    assert.match(r.stderr, /--enable-private-ip-google-access|dpgce up/);
    assert.deepEqual(
      requestLog(ws.state)
        .slice(before)
        .filter((l) => l.mutating),
      [],
    );
    assert.equal(storedCluster(stateResources(ws.state)), undefined);

    // `up` owns the subnetwork, so it turns the access back on and then creates the cluster.
    const up = await cli('up', '--yes', '--json');
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(
      JSON.parse(up.stdout).changes.map((c: any) => c.address),
      ['subnetwork.cluster', 'dataproc-cluster.main'],
    );
    const status = await cli('cluster', 'status', '--json');
    assert.equal(status.code, 0, status.stdout);
    assert.deepEqual(
      JSON.parse(status.stdout).resources.map((x: any) => [x.address, x.state]),
      [['dataproc-cluster.main', 'present']],
    );
  });
});
