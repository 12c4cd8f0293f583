import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emulator, grant, P, poolWithRoot, type Http } from './lro-client.js';

// Network Services gateways: the recorded OPEN_MESH transcript
// (../shared/reference/gcp-recordings/networkservices-gateway) for shapes, and
// the Secure Web Proxy rules of gcp-api-facts §2.6, §3 and §18.3. The network
// and subnetworks are made through the emulated Compute API.

const TYPE = 'type.googleapis.com/google.cloud.networkservices.v1.';
const CP = '/compute/v1/projects/p';

async function compute(h: Http, path: string, body: unknown): Promise<void> {
  let op = await h.ok('POST', `${CP}/${path}`, body);
  const scope = op.region ? `regions/${op.region.split('/').pop()}` : 'global';
  for (let i = 0; i < 20 && op.status !== 'DONE'; i++) op = await h.ok('GET', `${CP}/${scope}/operations/${op.name}`);
  assert.equal(op.error, undefined, JSON.stringify(op.error));
}

const subnet = (h: Http, name: string, network: string, ipCidrRange: string, extra: object = {}) =>
  compute(h, 'regions/us-central1/subnetworks', {
    name, network: `https://compute.googleapis.com/compute/v1/projects/p/global/networks/${network}`, ipCidrRange, ...extra });

function swg(extra: object = {}): Record<string, unknown> {
  return {
    type: 'SECURE_WEB_GATEWAY', ports: [3128], addresses: ['10.0.2.245'], routingMode: 'EXPLICIT_ROUTING_MODE',
    network: 'projects/p/global/networks/net', subnetwork: 'projects/p/regions/us-central1/subnetworks/private',
    gatewaySecurityPolicy: `${P}/gatewaySecurityPolicies/swp`, certificateUrls: [`${P}/certificates/swp`],
    scope: 'swp-scope', ...extra,
  };
}

describe('networkservices emulator', () => {
  let h: Http;
  let routerName: string;
  before(async () => {
    h = await emulator();
    await compute(h, 'global/networks', { name: 'net', autoCreateSubnetworks: false, routingConfig: { routingMode: 'REGIONAL' } });
    await subnet(h, 'private', 'net', '10.0.2.0/24');
    await compute(h, 'global/networks', { name: 'bare', autoCreateSubnetworks: false });
    await subnet(h, 'bare-private', 'bare', '10.9.0.0/24');
    const network = await h.ok('GET', `${CP}/global/networks/net`);
    routerName = `swg-autogen-router-${network.id}`;
    await h.done('POST', `/v1/${P}/gatewaySecurityPolicies?gatewaySecurityPolicyId=swp`, {});
    await poolWithRoot(h, 'swp', 'root');
    const number = (await h.done('POST', `/v1/${P}/certificateIssuanceConfigs?certificateIssuanceConfigId=swp`, {
      certificateAuthorityConfig: { certificateAuthorityServiceConfig: { caPool: `${P}/caPools/swp` } },
      keyAlgorithm: 'RSA_2048', lifetime: '2592000s', rotationWindowPercentage: 66,
    })).response.certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool.split('/')[1];
    await grant(h, 'swp', `serviceAccount:service-${number}@gcp-sa-certificatemanager.iam.gserviceaccount.com`,
      'roles/privateca.certificateRequester');
    await h.done('POST', `/v1/${P}/certificates?certificateId=swp`, {
      managed: { domains: ['swp.internal.example'], issuanceConfig: `${P}/certificateIssuanceConfigs/swp` } });
  });
  after(async () => { await h.close(); });

  it('fails the create operation when the network has no proxy-only subnet', async () => {
    const op = await h.ok('POST', `/v1/${P}/gateways?gatewayId=early`, swg());
    const final = await h.wait(op);
    assert.equal(final.error.code, 9);
    assert.match(final.error.message, /proxy-only/);
    assert.equal((await h.call('GET', `/v1/${P}/gateways/early`)).status, 404);
    assert.equal((await h.call('GET', `${CP}/regions/us-central1/routers/${routerName}`)).status, 404);
  });

  it('refuses an address outside the subnetwork, a reserved one, and too many ports', async () => {
    await subnet(h, 'proxy-only', 'net', '10.0.3.0/24', { purpose: 'REGIONAL_MANAGED_PROXY', role: 'ACTIVE' });
    for (const extra of [{ addresses: ['10.0.1.5'] }, { addresses: ['10.0.2.255'] }, { addresses: ['10.0.2.1'] },
      { ports: [1, 2, 3, 4, 5, 6] }, { ports: [0] }, { type: undefined },
      { subnetwork: 'projects/p/regions/us-central1/subnetworks/proxy-only', addresses: ['10.0.3.5'] },
      { gatewaySecurityPolicy: `${P}/gatewaySecurityPolicies/missing` }, { certificateUrls: [`${P}/certificates/missing`] }]) {
      const r = await h.call('POST', `/v1/${P}/gateways?gatewayId=bad`, swg(extra));
      assert.equal(r.status, 400, JSON.stringify(extra));
      assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
    }
  });

  it('creates a gateway through an operation that is not done on its first poll, with the recorded shapes', async () => {
    const op = await h.ok('POST', `/v1/${P}/gateways?gatewayId=swp`, swg({
      network: 'https://www.googleapis.com/compute/v1/projects/p/global/networks/net' }));
    assert.equal(op.metadata['@type'], `${TYPE}OperationMetadata`);
    assert.deepEqual([op.metadata.verb, op.metadata.target], ['create', `${P}/gateways/swp`]);
    assert.equal((await h.ok('GET', `/v1/${op.name}`)).done, undefined);
    const final = await h.wait(op);
    assert.equal(final.response['@type'], `${TYPE}Gateway`);
    assert.equal(final.response.selfLink, undefined, 'the recorded operation response has no selfLink');
    assert.equal(final.response.routingMode, undefined, 'EXPLICIT_ROUTING_MODE is the proto default');
    assert.equal(final.response.network, 'projects/p/global/networks/net');
    assert.deepEqual(final.response.addresses, ['10.0.2.245']);
    const got = await h.ok('GET', `/v1/${P}/gateways/swp`);
    assert.equal(got.selfLink, `https://networkservices.googleapis.com/v1alpha1/${P}/gateways/swp`);
    assert.ok(got.createTime && got.updateTime);
  });

  it('creates the autogen router and NAT with the first SWP of the network and region', async () => {
    const router = await h.ok('GET', `${CP}/regions/us-central1/routers/${routerName}`);
    assert.equal(router.kind, 'compute#router');
    assert.equal(router.network, 'https://www.googleapis.com/compute/v1/projects/p/global/networks/net');
    assert.equal(router.region, 'https://www.googleapis.com/compute/v1/projects/p/regions/us-central1');
    assert.equal(router.selfLink, `https://www.googleapis.com/compute/v1/projects/p/regions/us-central1/routers/${routerName}`);
    assert.match(router.id, /^\d+$/);
    assert.ok(router.creationTimestamp);
    assert.equal(router.nats.length, 1);
    assert.equal(router.nats[0].name, 'swg-autogen-nat');
    assert.deepEqual(router.nats[0].endpointTypes, ['ENDPOINT_TYPE_SWG']);
    assert.equal(router.nats[0].natIpAllocateOption, 'AUTO_ONLY');
  });

  it('does not create a second router for the second SWP, and allocates its address when none is given', async () => {
    const before = await h.ok('GET', `${CP}/regions/us-central1/routers/${routerName}`);
    const second = await h.done('POST', `/v1/${P}/gateways?gatewayId=swp-two`, swg({ addresses: undefined, scope: 'two' }));
    assert.deepEqual(second.response.addresses, ['10.0.2.2']);
    const routers = await h.ok('GET', `${CP}/regions/us-central1/routers`);
    assert.deepEqual(routers.items.map((r: any) => r.name), [routerName]);
    assert.equal((await h.ok('GET', `${CP}/regions/us-central1/routers/${routerName}`)).creationTimestamp, before.creationTimestamp);
    const taken = await h.call('POST', `/v1/${P}/gateways?gatewayId=swp-three`, swg({ addresses: ['10.0.2.2'] }));
    assert.equal(taken.status, 400);
  });

  it('keeps type and ports immutable and patches what may change', async () => {
    const typeChange = await h.call('PATCH', `/v1/${P}/gateways/swp-two?updateMask=type`, { type: 'OPEN_MESH' });
    assert.equal(typeChange.status, 400);
    const ports = await h.call('PATCH', `/v1/${P}/gateways/swp-two?updateMask=ports`, { ports: [8080] });
    assert.equal(ports.status, 400);
    const patched = await h.done('PATCH', `/v1/${P}/gateways/swp-two?updateMask=description,labels`, {
      name: `${P}/gateways/swp-two`, type: 'SECURE_WEB_GATEWAY', routingMode: 'EXPLICIT_ROUTING_MODE',
      description: 'second', labels: { 'dpgce-env': 'x' } });
    assert.equal(patched.metadata.verb, 'update');
    assert.equal(patched.response.description, 'second');
  });

  it('shows the gateways in the certificate\'s usedBy and refuses to delete certificate or policy in use', async () => {
    const cert = await h.ok('GET', `/v1/${P}/certificates/swp`);
    assert.deepEqual(cert.usedBy.map((u: any) => u.name).sort(), [`${P}/gateways/swp`, `${P}/gateways/swp-two`]);
    assert.equal((await h.call('DELETE', `/v1/${P}/certificates/swp`)).status, 400);
    assert.equal((await h.call('DELETE', `/v1/${P}/gatewaySecurityPolicies/swp`)).status, 400);
  });

  it('leaves the autogen router in place when the gateways are deleted', async () => {
    for (const g of ['swp', 'swp-two']) {
      const gone = await h.done('DELETE', `/v1/${P}/gateways/${g}`);
      assert.deepEqual(gone.response, { '@type': 'type.googleapis.com/google.protobuf.Empty' });
      assert.equal(gone.metadata.verb, 'delete');
    }
    assert.equal((await h.ok('GET', `/v1/${P}/gateways`)).gateways, undefined);
    assert.equal((await h.call('GET', `${CP}/regions/us-central1/routers/${routerName}`)).status, 200);
  });

  it('serves OPEN_MESH gateways as recorded', async () => {
    const missing = await h.call('GET', '/v1/projects/p/locations/global/gateways/mesh');
    assert.deepEqual(missing.json, { error: { code: 404, status: 'NOT_FOUND',
      message: "Resource 'projects/p/locations/global/gateways/mesh' was not found" } });
    const done = await h.done('POST', '/v1/projects/p/locations/global/gateways?gatewayId=mesh',
      { name: 'mesh', ports: [80, 443], scope: 'gateway-proxy', type: 'OPEN_MESH' });
    assert.deepEqual(Object.keys(done.response).sort(), ['@type', 'createTime', 'name', 'ports', 'scope', 'type', 'updateTime']);
    await h.done('DELETE', '/v1/projects/p/locations/global/gateways/mesh');
  });
});
