import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDiagnostics, errors, loadWith } from './env-fixture.js';

// The example: RANGE 10.10.0.0/24, PRIVATE_RANGE 10.11.0.0/24, SWP_RANGE 10.12.0.0/24.

describe('SWP_IP placement', () => {
  const reserved: Array<[string, string]> = [
    ['10.11.0.0', 'the network address'],
    ['10.11.0.1', 'the default gateway address'],
    ['10.11.0.254', 'the second-to-last address'],
    ['10.11.0.255', 'the broadcast address'],
    ['10.10.0.255', 'the broadcast address'],
  ];

  for (const [ip, role] of reserved) {
    it(`rejects ${ip}, ${role} of its subnetwork`, () => {
      const result = loadWith({ SWP_IP: ip });
      const found = errors(result);
      assert.equal(found.length, 1, describeDiagnostics(result));
      assert.equal(found[0].key, 'SWP_IP');
      assert.ok(found[0].summary.startsWith(`SWP_IP ${ip} is ${role} of `), found[0].summary);
      assert.match(found[0].detail, /Pick an address from 10\.1[01]\.0\.2 to 10\.1[01]\.0\.253/);
    });
  }

  it('accepts the first and last usable addresses', () => {
    for (const ip of ['10.11.0.2', '10.11.0.253', '10.10.0.2']) {
      assert.deepEqual(errors(loadWith({ SWP_IP: ip })), [], ip);
    }
  });

  it('rejects an address inside the proxy-only subnetwork', () => {
    const found = errors(loadWith({ SWP_IP: '10.12.0.10' }));
    assert.deepEqual(found.map((d) => d.key), ['SWP_IP']);
    assert.match(found[0].summary, /inside SWP_RANGE 10\.12\.0\.0\/24, the proxy-only subnetwork/);
  });

  it('says nothing about placement when a range is itself invalid', () => {
    const found = errors(loadWith({ RANGE: 'not-a-range', SWP_IP: '10.99.0.9' }));
    assert.deepEqual(found.map((d) => d.key), ['RANGE']);
  });
});

describe('range overlaps', () => {
  it('reports each overlapping pair once, on the later key', () => {
    const result = loadWith({
      RANGE: '10.0.0.0/16', PRIVATE_RANGE: '10.0.2.0/24', SWP_RANGE: '10.0.3.0/24',
      SWP_IP: '10.0.2.10',
    });
    assert.deepEqual(errors(result).map((d) => d.summary), [
      'PRIVATE_RANGE 10.0.2.0/24 overlaps RANGE 10.0.0.0/16',
      'SWP_RANGE 10.0.3.0/24 overlaps RANGE 10.0.0.0/16',
    ]);
  });

  it('reports identical ranges', () => {
    const result = loadWith({ PRIVATE_RANGE: '10.10.0.0/24', SWP_IP: '10.10.0.250' });
    assert.deepEqual(errors(result).map((d) => [d.key, d.summary]),
      [['PRIVATE_RANGE', 'PRIVATE_RANGE 10.10.0.0/24 overlaps RANGE 10.10.0.0/24']]);
  });

  it('reports PRIVATE_RANGE against SWP_RANGE on SWP_RANGE', () => {
    const result = loadWith({ SWP_RANGE: '10.11.0.0/26', SWP_IP: '10.10.0.250' });
    assert.deepEqual(errors(result).map((d) => d.summary),
      ['SWP_RANGE 10.11.0.0/26 overlaps PRIVATE_RANGE 10.11.0.0/24']);
  });

  it('accepts adjacent ranges', () => {
    const result = loadWith({
      RANGE: '10.0.0.0/24', PRIVATE_RANGE: '10.0.1.0/24', SWP_RANGE: '10.0.2.0/26',
      SWP_IP: '10.0.1.9',
    });
    assert.deepEqual(errors(result), [], describeDiagnostics(result));
  });
});
