import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dictFlag, gcloudCreateArgs } from '../../src/cli/cluster-command.js';
import { loadEnvText } from '../../src/config/load.js';
import { deriveNames } from '../../src/config/names.js';
import { startEmulator } from '../../src/emulator/server.js';
import { clusterBody } from '../../src/plan/cluster-spec.js';
import { runCli, stateResources } from '../helpers/cli.js';
import { gpuWorkspace, storedCluster } from '../helpers/gpu.js';

// Issue 4's second must-show: the command `dpgce cluster command` prints,
// run by the real gcloud CLI against the emulator (endpoint override, fresh
// config, fake token, no metadata server), stores the same cluster as
// `dpgce cluster create`. And F26: a metadata value with commas arrives
// whole, through gcloud's ^DELIM^ escaping and through the API.

const GCLOUD = spawnSync('sh', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).stdout.trim();
const SKIP = GCLOUD ? false : 'gcloud is not installed; the gcloud parity test needs it';
if (SKIP) console.log(`# skipped: ${SKIP}`);

const F26 = '.corp.example,10.10.0.0/24';

/** Runs a command with gcloud pointed at the emulator on `port`; resolves with its exit code and output. */
function withGcloud(
  cmd: string,
  args: string[],
  port: number,
  cwd: string,
): Promise<{ code: number | null; out: string }> {
  const env = {
    ...process.env,
    CLOUDSDK_CONFIG: mkdtempSync(join(tmpdir(), 'dpgce-gcloud-')),
    CLOUDSDK_API_ENDPOINT_OVERRIDES_DATAPROC: `http://127.0.0.1:${port}/`,
    CLOUDSDK_AUTH_ACCESS_TOKEN: 'x',
    GCE_METADATA_ROOT: '127.0.0.1:1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: '1',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** The stored cluster without what differs between any two creations (uuid, times, history). */
function comparable(cluster: Record<string, any>): Record<string, any> {
  const c = structuredClone(cluster);
  delete c.clusterUuid;
  delete c.status;
  delete c.statusHistory;
  delete c.labels['goog-dataproc-cluster-uuid'];
  delete c.labels['goog-dataproc-drz-resource-uuid'];
  return c;
}

describe('dpgce cluster command, run by gcloud against the emulator', { skip: SKIP }, async () => {
  const ws = await gpuWorkspace();
  const target = ['--env', ws.env, '--local', '--local-state', ws.state];
  const cli = (...args: string[]) => runCli([...args, ...target], { cwd: ws.dir });

  it('stores the same cluster as dpgce cluster create', async () => {
    assert.equal((await cli('secure-boot', 'keys')).code, 0);
    const up = await cli('up', '--yes', '--no-create-cluster');
    assert.equal(up.code, 0, up.stderr);
    const created = await cli('cluster', 'create', '--yes');
    assert.equal(created.code, 0, created.stderr);
    const ours = comparable(storedCluster(stateResources(ws.state))!);

    const command = await cli('cluster', 'command');
    assert.equal(command.code, 0, command.stderr);
    assert.match(command.stdout, /^gcloud dataproc clusters create gpu-cluster /);
    assert.equal((await cli('cluster', 'delete', '--yes')).code, 0);
    assert.equal(storedCluster(stateResources(ws.state)), undefined);

    const emu = await startEmulator({ stateDir: ws.state });
    try {
      const run = await withGcloud('bash', ['-c', command.stdout], emu.port, ws.dir);
      assert.equal(run.code, 0, run.out);
    } finally {
      await emu.close();
    }
    assert.deepEqual(comparable(storedCluster(stateResources(ws.state))!), ours);
  });

  it('F26: no-proxy with commas arrives exactly, through gcloud and through the API', async () => {
    const values = {
      ...JSON.parse(readFileSync(ws.env, 'utf8')),
      CLUSTER_NAME: 'f26-cluster',
      ENV_NAME: 'gpu-cluster',
    };
    const { config } = loadEnvText(JSON.stringify(values), 'env.json');
    const body = clusterBody(config!, deriveNames(config!));
    body.config.gceClusterConfig.metadata = {
      'no-proxy': F26,
      'http-proxy': 'swp.your.domain.com:3128',
    };
    const args = gcloudCreateArgs(body, 'us-central1');
    const flag = args.find((a) => a.startsWith('--metadata='))!;
    assert.equal(flag, `--metadata=${dictFlag(body.config.gceClusterConfig.metadata)}`);
    assert.match(
      flag,
      /^--metadata=\^([^a-z0-9])\^no-proxy=\.corp\.example,10\.10\.0\.0\/24\1http-proxy=/,
    );

    const emu = await startEmulator({ stateDir: ws.state });
    try {
      const run = await withGcloud(GCLOUD, args, emu.port, ws.dir);
      assert.equal(run.code, 0, run.out);
      const viaGcloud = emu.store.get(
        'projects/dpgce-demo-project/regions/us-central1/clusters/f26-cluster',
      )!;
      assert.equal(viaGcloud.config.gceClusterConfig.metadata['no-proxy'], F26);

      const res = await fetch(
        `${emu.url}/v1/projects/dpgce-demo-project/regions/us-central1/clusters`,
        {
          method: 'POST',
          headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, clusterName: 'f26-api' }),
        },
      );
      assert.equal(res.status, 200, await res.text());
      const viaApi = emu.store.get(
        'projects/dpgce-demo-project/regions/us-central1/clusters/f26-api',
      )!;
      assert.equal(viaApi.config.gceClusterConfig.metadata['no-proxy'], F26);
    } finally {
      await emu.close();
    }
  });
});
