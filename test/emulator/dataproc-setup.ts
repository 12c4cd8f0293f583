import assert from 'node:assert/strict';
import type { Http } from './lro-client.js';

// What the Dataproc emulator tests share: a project with a default network,
// a subnetwork with and one without Private Google Access, the recorded
// service account and a staging bucket, and small request bodies.

export const PROJECT = 'dpgce-test';
export const R = `/v1/projects/${PROJECT}/regions/us-central1`;
const COMPUTE = `/compute/v1/projects/${PROJECT}`;

async function computeDone(h: Http, scope: string, op: any): Promise<void> {
  for (let i = 0; i < 20 && op.status !== 'DONE'; i++)
    op = await h.ok('POST', `${COMPUTE}/${scope}/operations/${op.name}/wait`);
  assert.equal(op.error, undefined, JSON.stringify(op.error));
}

/** A default network, two subnetworks (with and without Private Google Access), an account, a bucket. */
export async function foundation(h: Http): Promise<void> {
  for (const name of ['default', 'net']) {
    await computeDone(
      h,
      'global',
      await h.ok('POST', `${COMPUTE}/global/networks`, { name, autoCreateSubnetworks: false }),
    );
  }
  for (const [name, range, pga] of [
    ['pga', '10.0.0.0/24', true],
    ['no-pga', '10.0.1.0/24', false],
  ] as const) {
    await computeDone(
      h,
      'regions/us-central1',
      await h.ok('POST', `${COMPUTE}/regions/us-central1/subnetworks`, {
        name,
        network: `projects/${PROJECT}/global/networks/net`,
        ipCidrRange: range,
        privateIpGoogleAccess: pga,
      }),
    );
  }
  await h.ok('POST', `/v1/projects/${PROJECT}/serviceAccounts`, {
    accountId: 'dataproc-abc',
    serviceAccount: {},
  });
  await h.ok('POST', `/storage/v1/b?project=${PROJECT}`, { name: 'dpgce-test-staging' });
}

/** A small valid create body on the `pga` subnetwork. */
export function cluster(name: string, extra: Record<string, any> = {}): Record<string, any> {
  return {
    clusterName: name,
    projectId: PROJECT,
    config: {
      gceClusterConfig: { subnetworkUri: 'pga', internalIpOnly: true, zoneUri: 'us-central1-a' },
      softwareConfig: { imageVersion: '2.2-debian12' },
      ...extra,
    },
  };
}

/** Polls an operation until done, pausing between polls (the operations here take 150 ms). */
export async function settled(h: Http, op: any): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const cur = await h.ok('GET', `/v1/${op.name}`);
    if (cur.done) return cur;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`operation ${op.name} never finished`);
}
