import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairingProblem } from '../../src/config/accelerators.js';
import { planUp } from '../../src/plan/plan.js';
import { HANDLERS } from '../../src/resources/index.js';
import type { Desired, Observed } from '../../src/resources/types.js';
import { builtState } from '../helpers/example.js';
import { gpuGraph } from '../helpers/gpu.js';

// Refusals before a cluster is created (F18, F24, GPU and machine family):
// each is a blocker that names what is wrong and what to do, and a plan with
// a blocker changes nothing.

/** Everything built except the cluster; the signing secrets present unless told otherwise. */
function withoutCluster(graph: Desired[], secrets = true): Map<string, Observed> {
  const state = builtState(graph);
  state.delete('dataproc-cluster.main');
  for (const s of ['signing-key', 'signing-cert']) {
    if (secrets)
      state.set(`secret.${s}`, {
        exists: true,
        owned: true,
        actual: { version: '1', modulusMd5: 'ab'.repeat(16) },
      });
    else state.delete(`secret.${s}`);
  }
  return state;
}

const blockersOf = (graph: Desired[], state: Map<string, Observed>) =>
  planUp(graph, state, HANDLERS).blockers;

describe('refusals at plan time', () => {
  it('plans the cluster when everything it needs is in place', () => {
    const graph = gpuGraph();
    const plan = planUp(graph, withoutCluster(graph), HANDLERS);
    assert.deepEqual(plan.blockers, []);
    assert.deepEqual(
      plan.changes.map((c) => c.address),
      ['dataproc-cluster.main'],
    );
  });

  it('F24: Secure Boot, a stock image and a GPU without signing secrets stop the plan with what to do', () => {
    const graph = gpuGraph({ CUSTOM_IMAGE_URI: undefined, IMAGE_VERSION: '2.2-debian12' });
    const blockers = blockersOf(graph, withoutCluster(graph, false));
    assert.equal(blockers.length, 2);
    assert.ok(blockers.every((b) => b.address === 'dataproc-cluster.main'));
    assert.match(
      blockers[0].summary,
      /SECURE_BOOT is on.*nvidia-tesla-t4.*signed by a key the image's UEFI signature database.*CUSTOM_IMAGE_URI is not set/,
    );
    assert.match(
      blockers[1].summary,
      /signing secret\(s\) gpu-cluster-efi-db-priv-key and gpu-cluster-efi-db-pub-key do not exist/,
    );
    for (const b of blockers) {
      assert.match(b.detail, /dpgce secure-boot keys/);
      assert.match(b.detail, /custom image whose db holds that certificate/);
      assert.match(b.detail, /signing-secret metadata/);
      assert.match(b.detail, /SECURE_BOOT to false/);
    }
  });

  it('F24: a custom image alone is not enough without the signing secrets', () => {
    const graph = gpuGraph();
    const blockers = blockersOf(graph, withoutCluster(graph, false));
    assert.equal(blockers.length, 1);
    assert.match(blockers[0].summary, /signing secret/);
  });

  it('F24: without Secure Boot, a stock image with a GPU is fine', () => {
    const graph = gpuGraph({
      SECURE_BOOT: false,
      CUSTOM_IMAGE_URI: undefined,
      IMAGE_VERSION: '2.2-debian12',
    });
    assert.deepEqual(blockersOf(graph, withoutCluster(graph, false)), []);
  });

  it('refuses a GPU the machine family cannot take, naming a type that can', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { ACCELERATOR_TYPE: 'nvidia-l4' },
        /nvidia-l4 attaches only to G2 machine types, and n1-standard-8 is N1; use, e\.g\., g2-standard-8/,
      ],
      [
        { MASTER_MACHINE_TYPE: 'g2-standard-8', WORKER_MACHINE_TYPE: 'g2-standard-8' },
        /nvidia-tesla-t4 attaches only to N1/,
      ],
      [
        {
          ACCELERATOR_TYPE: 'nvidia-tesla-a100',
          ACCELERATOR_COUNT: 2,
          MASTER_MACHINE_TYPE: 'a2-highgpu-1g',
          WORKER_MACHINE_TYPE: 'a2-highgpu-1g',
        },
        /a2-highgpu-1g comes with 1 nvidia-tesla-a100, not 2.*a2-highgpu-2g/,
      ],
      [{ ACCELERATOR_COUNT: 3 }, /N1 VMs take 1, 2, 4 of nvidia-tesla-t4, not 3/],
      [
        {
          ACCELERATOR_TYPE: 'nvidia-h100-80gb',
          MASTER_MACHINE_TYPE: 'a2-highgpu-1g',
          WORKER_MACHINE_TYPE: 'a3-highgpu-1g',
        },
        /MASTER_MACHINE_TYPE a2-highgpu-1g cannot take/,
      ],
    ];
    for (const [changes, why] of cases) {
      const graph = gpuGraph({ SECURE_BOOT: false, ...changes });
      const blockers = blockersOf(graph, withoutCluster(graph));
      assert.ok(blockers.length > 0, JSON.stringify(changes));
      assert.ok(
        blockers.some((b) => why.test(`${b.summary}: ${b.detail}`)),
        blockers.map((b) => b.detail).join('\n'),
      );
    }
  });

  it('knows the documented pairings', () => {
    for (const [gpu, count, machine] of [
      ['nvidia-tesla-t4', 1, 'n1-standard-8'],
      ['nvidia-tesla-v100', 8, 'n1-standard-64'],
      ['nvidia-tesla-p100', 2, 'n1-standard-16'],
      ['nvidia-tesla-p4', 4, 'n1-standard-32'],
      ['nvidia-l4', 2, 'g2-standard-24'],
      ['nvidia-tesla-a100', 1, 'a2-highgpu-1g'],
      ['nvidia-a100-80gb', 4, 'a2-ultragpu-4g'],
      ['nvidia-h100-80gb', 8, 'a3-highgpu-8g'],
    ] as const) {
      assert.equal(
        pairingProblem(gpu, count, machine),
        undefined,
        `${gpu} x${count} on ${machine}`,
      );
    }
  });

  it('F18: a cluster subnetwork without Private Google Access that up will not fix stops the plan', () => {
    const graph = gpuGraph({ SECURE_BOOT: false });
    const state = withoutCluster(graph);
    const subnet = state.get('subnetwork.cluster')!;
    state.set('subnetwork.cluster', {
      exists: true,
      owned: false,
      actual: {
        ...subnet.actual,
        name: 'gpu-subnet',
        region: 'https://www.googleapis.com/compute/v1/projects/p/regions/us-central1',
        privateIpGoogleAccess: false,
      },
    });
    const blockers = blockersOf(graph, state);
    const pga = blockers.find((b) => b.address === 'dataproc-cluster.main')!;
    assert.match(pga.summary, /subnetwork gpu-subnet has Private Google Access off/);
    assert.match(
      pga.detail,
      /gcloud compute networks subnets update gpu-subnet --region us-central1 --enable-private-ip-google-access/,
    );
  });

  it('F18: a subnetwork up owns and will fix does not stop the plan', () => {
    const graph = gpuGraph({ SECURE_BOOT: false });
    const state = withoutCluster(graph);
    const subnet = state.get('subnetwork.cluster')!;
    state.set('subnetwork.cluster', {
      ...subnet,
      actual: { ...subnet.actual, privateIpGoogleAccess: false },
    });
    const plan = planUp(graph, state, HANDLERS);
    assert.deepEqual(plan.blockers, []);
    assert.deepEqual(
      plan.changes.map((c) => c.address),
      ['subnetwork.cluster', 'dataproc-cluster.main'],
    );
  });

  it('does not block a cluster that already exists unchanged', () => {
    const graph = gpuGraph({ CUSTOM_IMAGE_URI: undefined, IMAGE_VERSION: '2.2-debian12' });
    const state = withoutCluster(graph);
    const d = graph.find((x) => x.address === 'dataproc-cluster.main')!;
    const signing = { secret_version: '1', modulus_md5sum: 'ab'.repeat(16) };
    const actual = structuredClone(d.spec.cluster);
    Object.assign(actual.config.gceClusterConfig.metadata, signing);
    state.set(d.address, {
      exists: true,
      owned: true,
      actual: { ...actual, dpgceSigning: signing },
    });
    const plan = planUp(graph, state, HANDLERS);
    assert.deepEqual(plan.blockers, []);
    assert.deepEqual(plan.changes, []);
  });
});
