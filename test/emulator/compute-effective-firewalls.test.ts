import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { C, client, WWW, type Client } from './raw-http.js';

// networks.getEffectiveFirewalls (googleapis compute v1
// NetworksGetEffectiveFirewallsResponse): the network's own VPC firewall
// rules; the emulator has no firewall policies, so no `firewallPolicys`.

describe('compute networks.getEffectiveFirewalls', () => {
  let h: Client;
  before(async () => {
    h = await client();
    for (const name of ['vpc', 'other']) await h.compute('POST', `${C}/global/networks`, { name, autoCreateSubnetworks: false });
    for (const [name, network] of [['fw-vpc', 'vpc'], ['fw-other', 'other']]) {
      await h.compute('POST', `${C}/global/firewalls`,
        { name, network: `projects/p/global/networks/${network}`, allowed: [{ IPProtocol: 'tcp' }] });
    }
  });
  after(async () => {
    await h.close();
  });

  it('returns the rules of that network only, as stored', async () => {
    const r = await h.ok('GET', `${C}/global/networks/vpc/getEffectiveFirewalls`);
    assert.deepEqual(r.firewalls.map((f: any) => [f.name, f.network]), [['fw-vpc', `${WWW}/global/networks/vpc`]]);
    assert.equal(r.firewallPolicys, undefined);
  });

  it('answers 404 for a network that does not exist', async () => {
    const r = await h.call('GET', `${C}/global/networks/missing/getEffectiveFirewalls`);
    assert.equal(r.status, 404);
  });
});
