import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDiagnostics, errors, loadWith, warnings } from './env-fixture.js';
import { gpuConfig } from '../helpers/gpu.js';

// The cluster keys of env.json: their defaults, the forms sibling tools
// write (strings for numbers and booleans), and the errors that name the
// key and say what to do.

describe('cluster keys', () => {
  it('loads examples/env-gpu.json as written', () => {
    const c = gpuConfig();
    assert.equal(c.clusterName, 'gpu-cluster');
    assert.equal(c.envName, 'gpu-cluster', 'CLUSTER_NAME names the environment without ENV_NAME');
    assert.equal(c.acceleratorType, 'nvidia-tesla-t4');
    assert.deepEqual(
      [c.cluster.acceleratorCount, c.cluster.numWorkers, c.cluster.secureBoot],
      [1, 2, true],
    );
    assert.deepEqual(c.cluster.noProxy, ['.corp.example']);
  });

  it('defaults: Secure Boot on, 2 workers, a machine type that fits the GPU', () => {
    const plain = loadWith({ CLUSTER_NAME: 'gpu1' }).config!.cluster;
    assert.deepEqual(
      [plain.secureBoot, plain.numWorkers, plain.singleNode, plain.masterMachineType],
      [true, 2, false, 'n2-standard-4'],
    );
    assert.equal(
      loadWith({ ACCELERATOR_TYPE: 'nvidia-tesla-t4' }).config!.cluster.masterMachineType,
      'n1-standard-8',
    );
    assert.equal(
      loadWith({ ACCELERATOR_TYPE: 'nvidia-l4' }).config!.cluster.workerMachineType,
      'g2-standard-8',
    );
    assert.equal(
      loadWith({ ACCELERATOR_TYPE: 'nvidia-l4', ACCELERATOR_COUNT: 2 }).config!.cluster
        .masterMachineType,
      'g2-standard-24',
    );
    assert.equal(
      loadWith({ ACCELERATOR_TYPE: 'nvidia-tesla-a100' }).config!.cluster.masterMachineType,
      'a2-highgpu-1g',
    );
    const workerFromMaster = loadWith({ MASTER_MACHINE_TYPE: 'n1-highmem-8' }).config!.cluster;
    assert.equal(workerFromMaster.workerMachineType, 'n1-highmem-8');
  });

  it('accepts numbers and booleans written as strings, as sibling tools write them', () => {
    const c = loadWith({
      NUM_WORKERS: '3',
      SECURE_BOOT: 'false',
      ACCELERATOR_COUNT: '2',
      ACCELERATOR_TYPE: 'nvidia-tesla-t4',
    }).config!.cluster;
    assert.deepEqual([c.numWorkers, c.secureBoot, c.acceleratorCount], [3, false, 2]);
  });

  it('derives the signing secret names from ENV_NAME unless named', async () => {
    const { deriveNames } = await import('../../src/config/names.js');
    const named = deriveNames(loadWith({ ENV_NAME: 'team-a' }).config!);
    assert.deepEqual(
      [named.signingKeySecret, named.signingCertSecret],
      ['team-a-efi-db-priv-key', 'team-a-efi-db-pub-key'],
    );
    const given = deriveNames(
      loadWith({ PRIVATE_SECRET_NAME: 'k', PUBLIC_SECRET_NAME: 'c' }).config!,
    );
    assert.deepEqual([given.signingKeySecret, given.signingCertSecret], ['k', 'c']);
  });

  const rejected: Array<[string, unknown, RegExp, Record<string, unknown>?]> = [
    ['CLUSTER_NAME', 'GPU-Cluster', /uppercase letters, which a Dataproc cluster name cannot have/],
    ['CLUSTER_NAME', 'c'.repeat(52), /52 characters; a Dataproc cluster name has 1-51/],
    ['CLUSTER_NAME', 'gpu-', /not a valid Dataproc cluster name/],
    ['IMAGE_VERSION', 'latest', /not a Dataproc image version/],
    ['CUSTOM_IMAGE_URI', 'my-image', /not a Compute Engine image/],
    ['ACCELERATOR_TYPE', 'T4', /not a GPU accelerator type/],
    ['ACCELERATOR_COUNT', 0, /not a whole number from 1 to 16/],
    ['ACCELERATOR_COUNT', 1.5, /not a whole number/],
    ['NUM_WORKERS', 1, /at least 2 workers/],
    ['NUM_WORKERS', 0, /SINGLE_NODE is not true/],
    ['SINGLE_NODE', true, /SINGLE_NODE is true but NUM_WORKERS is 2/, { NUM_WORKERS: 2 }],
    ['SECURE_BOOT', 'yes', /"yes" is not true or false/],
    ['PRIVATE_SECRET_NAME', 'has space', /not a Secret Manager secret ID/],
    ['GPU_DRIVER_PROVIDER', 'nvidia', /not a GPU driver provider/],
    ['CUDA_VERSION', '12.x', /not a version number/],
    ['GPU_INIT_ACTION_URI', 'https://example.com/a.sh', /not a gs:\/\/BUCKET\/OBJECT location/],
    ['SWP_NO_PROXY', '.corp.example', /must be an array of strings/],
    ['SWP_NO_PROXY', ['a,b'], /not a host, domain suffix or address range/],
    ['PROXY_TEST_URL', 'http://pypi.org/', /not an https:\/\/ URL/],
  ];

  for (const [key, value, summary, extra] of rejected) {
    it(`rejects ${key} = ${JSON.stringify(value).slice(0, 40)}`, () => {
      const result = loadWith({ ...extra, [key]: value });
      const onKey = errors(result).filter((d) => d.key === key);
      assert.ok(
        onKey.some((d) => summary.test(d.summary)),
        describeDiagnostics(result),
      );
      assert.ok(
        onKey.every((d) => d.detail.length > 0),
        'every error says what to do',
      );
      assert.equal(result.config, undefined);
    });
  }

  it('warns that IMAGE_VERSION is not sent with a custom image, and about GPU keys without a GPU', () => {
    const result = loadWith({
      CUSTOM_IMAGE_URI: 'projects/p-123456/global/images/i',
      IMAGE_VERSION: '2.2-debian12',
      CUDA_VERSION: '12.4.1',
    });
    assert.ok(result.config, describeDiagnostics(result));
    const keys = warnings(result).map((d) => d.key);
    assert.deepEqual(keys, ['IMAGE_VERSION', 'CUDA_VERSION']);
  });
});
