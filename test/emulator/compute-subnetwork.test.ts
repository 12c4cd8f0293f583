import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, client, WWW, type Client } from './raw-http.js';

// Subnetworks against ../shared/reference/gcp-recordings/compute-subnetworks
// and the proxy-only rules of gcp-api-facts §2.3.

const R = `${C}/regions/us-central1/subnetworks`;

describe('compute subnetworks', () => {
  let h: Client;
  before(async () => {
    h = await client();
    await h.compute('POST', `${C}/global/networks`, { name: 'vpc', autoCreateSubnetworks: false });
    await h.compute('POST', `${C}/global/networks`, {
      name: 'other',
      autoCreateSubnetworks: false,
    });
  });
  after(async () => {
    await h.close();
  });

  it('creates a subnetwork with the server-filled fields of the recorded GET', async () => {
    const op = await h.ok('POST', `${R}?alt=json`, {
      name: 'cluster',
      network: 'https://compute.googleapis.com/compute/v1/projects/p/global/networks/vpc',
      ipCidrRange: '10.0.0.0/24',
      privateIpGoogleAccess: false,
    });
    assert.equal(op.region, `${WWW}/regions/us-central1`);
    assert.equal(op.selfLink, `${WWW}/regions/us-central1/operations/${op.name}`);
    assert.equal(
      (await h.ok('POST', `${C}/regions/us-central1/operations/${op.name}/wait`)).status,
      'RUNNING',
    );
    assert.equal((await h.computeDone(op)).error, undefined);

    const s = await h.ok('GET', `${R}/cluster`);
    assert.equal(s.kind, 'compute#subnetwork');
    assert.equal(s.gatewayAddress, '10.0.0.1');
    assert.equal(s.network, `${WWW}/global/networks/vpc`);
    assert.equal(s.region, `${WWW}/regions/us-central1`);
    assert.equal(s.purpose, 'PRIVATE');
    assert.equal(s.stackType, 'IPV4_ONLY');
    assert.equal(s.state, 'READY');
    assert.equal(s.privateIpGoogleAccess, false);
    assert.equal(s.privateIpv6GoogleAccess, 'DISABLE_GOOGLE_ACCESS');
    assert.match(s.fingerprint, /^[A-Za-z0-9+/]{11}=$/);
    assert.equal(s.selfLink, `${WWW}/regions/us-central1/subnetworks/cluster`);

    const net = await h.ok('GET', `${C}/global/networks/vpc`);
    assert.deepEqual(net.subnetworks, [`${WWW}/regions/us-central1/subnetworks/cluster`]);
  });

  it('rejects a range that overlaps a subnetwork of the same network in another region', async () => {
    const r = await h.call('POST', `${C}/regions/europe-west1/subnetworks`, {
      name: 'clash',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.0.128/25',
    });
    assert.equal(r.status, 400);
    assert.equal(
      r.json.error.message,
      "Invalid value for field 'resource.ipCidrRange': '10.0.0.128/25'. " +
        "Invalid IPCidrRange: 10.0.0.128/25 conflicts with existing subnetwork 'cluster' in region 'us-central1'.",
    );
    assert.equal(r.json.error.errors[0].reason, 'invalid');
    await h.compute('POST', `${C}/regions/europe-west1/subnetworks`, {
      name: 'same-range-other-vpc',
      network: 'global/networks/other',
      ipCidrRange: '10.0.0.0/24',
    });
  });

  it('needs a network that exists', async () => {
    const r = await h.call('POST', R, {
      name: 'orphan',
      network: 'global/networks/ghost',
      ipCidrRange: '10.9.0.0/24',
    });
    assert.equal(r.status, 404);
    assert.equal(
      r.json.error.message,
      "The resource 'projects/p/global/networks/ghost' was not found",
    );
  });

  it('requires a role on a proxy-only subnetwork and rejects logConfig there', async () => {
    const noRole = await h.call('POST', R, {
      name: 'proxy',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.3.0/24',
      purpose: 'REGIONAL_MANAGED_PROXY',
    });
    assert.equal(noRole.status, 400);
    assert.equal(
      noRole.json.error.message,
      "Invalid value for field 'resource.role': 'UNSPECIFIED_ROLE'. " +
        'Subnetwork role must be specified when purpose set to REGIONAL_MANAGED_PROXY.',
    );
    const logs = await h.call('POST', R, {
      name: 'proxy',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.3.0/24',
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'ACTIVE',
      logConfig: { enable: false },
    });
    assert.equal(
      logs.json.error.message,
      "Invalid value for field 'resource.logConfig': '{  \"enable\": false}'. " +
        'Invalid field set in subnetwork with purpose REGIONAL_MANAGED_PROXY.',
    );
    const small = await h.call('POST', R, {
      name: 'proxy',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.3.0/27',
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'ACTIVE',
    });
    assert.equal(small.status, 400);
  });

  it('allows one ACTIVE proxy-only subnetwork per network and region', async () => {
    await h.compute('POST', R, {
      name: 'proxy',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.3.0/24',
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'ACTIVE',
    });
    const second = await h.call('POST', R, {
      name: 'proxy-2',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.4.0/24',
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'ACTIVE',
    });
    assert.equal(second.status, 400);
    assert.match(
      second.json.error.message,
      /^Invalid value for field 'resource.role': 'ACTIVE'\..*only one is allowed/,
    );
    await h.compute('POST', R, {
      name: 'proxy-backup',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.4.0/24',
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'BACKUP',
    });
    await h.compute('POST', `${C}/regions/us-east1/subnetworks`, {
      name: 'proxy',
      network: 'global/networks/vpc',
      ipCidrRange: '10.0.5.0/24',
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'ACTIVE',
    });
    const proxy = await h.ok('GET', `${R}/proxy`);
    assert.equal(proxy.role, 'ACTIVE');
    assert.equal(proxy.purpose, 'REGIONAL_MANAGED_PROXY');
  });

  it('turns on Private Google Access, and a patch needs the current fingerprint', async () => {
    await h.compute('POST', `${R}/cluster/setPrivateIpGoogleAccess`, {
      privateIpGoogleAccess: true,
    });
    const s = await h.ok('GET', `${R}/cluster`);
    assert.equal(s.privateIpGoogleAccess, true);

    const stale = await h.call('PATCH', `${R}/cluster`, {
      privateIpGoogleAccess: false,
      fingerprint: 'AAAAAAAAAAA=',
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.json.error.errors[0].reason, 'conditionNotMet');
    const op = await h.compute('PATCH', `${R}/cluster`, {
      privateIpGoogleAccess: false,
      fingerprint: s.fingerprint,
    });
    assert.equal(op.operationType, 'patch');
    const after = await h.ok('GET', `${R}/cluster`);
    assert.equal(after.privateIpGoogleAccess, false);
    assert.notEqual(after.fingerprint, s.fingerprint);
  });

  it('fails a delete asynchronously while a Secure Web Proxy gateway uses the proxy-only subnetwork', async () => {
    h.emu.store.put('projects/p/locations/us-central1/gateways/swp', {
      name: 'projects/p/locations/us-central1/gateways/swp',
      type: 'SECURE_WEB_GATEWAY',
      network: 'projects/p/global/networks/vpc',
      subnetwork: 'projects/p/regions/us-central1/subnetworks/cluster',
    });
    const proxy = await h.computeDone(await h.ok('DELETE', `${R}/proxy`));
    assert.equal(proxy.error.errors[0].code, 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE');
    assert.equal(
      proxy.error.errors[0].message,
      "The subnetwork resource 'projects/p/regions/us-central1/subnetworks/proxy' " +
        "is already being used by 'projects/p/locations/us-central1/gateways/swp'",
    );
    const cluster = await h.computeDone(await h.ok('DELETE', `${R}/cluster`));
    assert.equal(cluster.error.errors[0].code, 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE');
    await h.compute('DELETE', `${C}/regions/us-east1/subnetworks/proxy`);

    h.emu.store.delete('projects/p/locations/us-central1/gateways/swp');
    await h.compute('DELETE', `${R}/proxy`);
    assert.equal((await h.call('GET', `${R}/proxy`)).status, 404);
  });

  it('lists per region and aggregated across regions', async () => {
    const list = await h.all(R, 'items');
    assert.equal(list.first.kind, 'compute#subnetworkList');
    assert.deepEqual(list.items.map((s: any) => s.name).sort(), ['cluster', 'proxy-backup']);
    const agg = await h.ok(
      'GET',
      `${C}/aggregated/subnetworks?filter=${encodeURIComponent('network eq ".*/other"')}`,
    );
    assert.equal(agg.kind, 'compute#subnetworkAggregatedList');
    assert.deepEqual(Object.keys(agg.items), ['regions/europe-west1']);
    assert.equal(agg.items['regions/europe-west1'].subnetworks[0].name, 'same-range-other-vpc');
  });
});
