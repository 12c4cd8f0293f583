import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, client, WWW, type Client } from './raw-http.js';

// Writes of fields Google takes but the emulator does not model answer 501
// UNIMPLEMENTED naming them, instead of a 200 (and a DONE operation) that
// drops them: the client would believe the change was made. A field sent
// back unchanged passes, so read-modify-write clients still work.

const Z = '/dns/v1/projects/p/managedZones';
const SUBNET = `${C}/regions/us-central1/subnetworks/s`;

describe('writes of fields the emulator does not model', () => {
  let h: Client;
  before(async () => {
    h = await client();
    await h.compute('POST', `${C}/global/networks`, { name: 'vpc', autoCreateSubnetworks: false });
    await h.compute('POST', `${C}/regions/us-central1/subnetworks`, {
      name: 's', network: `${WWW}/global/networks/vpc`, ipCidrRange: '10.0.0.0/24',
    });
  });
  after(async () => {
    await h.close();
  });

  const unimplemented = (r: { status: number; json: any }, field: string): void => {
    assert.equal(r.status, 501, JSON.stringify(r.json));
    assert.equal(r.json.error.status, 'UNIMPLEMENTED');
    assert.match(r.json.error.message, new RegExp(`field\\(s\\) ${field}\\.$`));
  };

  it('networks.patch of a field other than routing, MTU and enforcement order', async () => {
    const net = await h.ok('GET', `${C}/global/networks/vpc`);
    unimplemented(await h.call('PATCH', `${C}/global/networks/vpc`, { enableUlaInternalIpv6: true }), 'enableUlaInternalIpv6');
    // The whole resource sent back with one modelled change is fine.
    await h.compute('PATCH', `${C}/global/networks/vpc`, { ...net, routingConfig: { routingMode: 'GLOBAL' } });
    assert.equal((await h.ok('GET', `${C}/global/networks/vpc`)).routingConfig.routingMode, 'GLOBAL');
  });

  it('subnetworks.patch of a field the emulator does not model', async () => {
    const s = await h.ok('GET', SUBNET);
    unimplemented(await h.call('PATCH', SUBNET, { fingerprint: s.fingerprint, allowSubnetCidrRoutesOverlap: true }),
      'allowSubnetCidrRoutesOverlap');
  });

  it('a managed zone created or patched with forwarding or peering, which change resolution', async () => {
    const zone = { name: 'z', dnsName: 'googleapis.com.', visibility: 'private', description: '' };
    unimplemented(await h.call('POST', Z, { ...zone, forwardingConfig: { targetNameServers: [{ ipv4Address: '10.0.0.9' }] } }),
      'forwardingConfig');
    assert.equal((await h.call('GET', `${Z}/z`)).status, 404, 'nothing was created');
    await h.ok('POST', Z, zone);
    unimplemented(await h.call('PATCH', `${Z}/z`, { peeringConfig: { targetNetwork: { networkUrl: `${WWW}/global/networks/vpc` } } }),
      'peeringConfig');
    assert.equal((await h.ok('GET', `${Z}/z`)).peeringConfig, undefined);
  });
});
