import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultInjector } from '../../src/emulator/faults.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';

// Fault injection over plain HTTP: each kind does what it says, rules match
// by API, method, path and count, the seed alone decides which requests are
// hit, and the control endpoint refuses a bad rule by name.

const H = { authorization: 'Bearer test', 'content-type': 'application/json' };
const NETWORKS = '/compute/v1/projects/p1/global/networks';
const URL_LISTS = '/v1/projects/p1/locations/us-central1/urlLists';

async function withEmulator(
  opts: EmulatorOptions,
  body: (e: Emulator) => Promise<void>,
): Promise<void> {
  const e = await startEmulator({ strict: { enabled: false }, ...opts });
  try {
    await body(e);
  } finally {
    await e.close();
  }
}

const post = (e: Emulator, path: string, body: unknown): Promise<Response> =>
  fetch(e.url + path, { method: 'POST', headers: H, body: JSON.stringify(body) });
const get = (e: Emulator, path: string): Promise<Response> => fetch(e.url + path, { headers: H });

describe('fault injection', () => {
  it('answers the nth matching call with the status and Google envelope asked for, and only that one', async () => {
    await withEmulator(
      { faults: { rules: [{ api: 'compute', method: 'POST', nth: 2, fault: 429 }] } },
      async (e) => {
        const first = await post(e, NETWORKS, { name: 'n1', autoCreateSubnetworks: false });
        assert.equal(first.status, 200);
        const second = await post(e, NETWORKS, { name: 'n2', autoCreateSubnetworks: false });
        assert.equal(second.status, 429);
        const err = (await second.json()).error;
        assert.equal(err.status, 'RESOURCE_EXHAUSTED');
        assert.equal(err.errors[0].reason, 'rateLimitExceeded');
        assert.equal(
          (await post(e, NETWORKS, { name: 'n3', autoCreateSubnetworks: false })).status,
          200,
        );
        assert.equal(
          e.store.get('projects/p1/global/networks/n2'),
          undefined,
          'a refused insert changes nothing',
        );
      },
    );
  });

  it('resets the connection without a reply', async () => {
    await withEmulator(
      { faults: { rules: [{ method: 'GET', path: '/networks/', fault: 'reset' }] } },
      async (e) => {
        await assert.rejects(get(e, `${NETWORKS}/n1`), /fetch failed/);
      },
    );
  });

  it('with after, makes the change and then loses the reply', async () => {
    await withEmulator(
      { faults: { rules: [{ api: 'compute', method: 'POST', fault: 503, after: true }] } },
      async (e) => {
        const r = await post(e, NETWORKS, { name: 'n1', autoCreateSubnetworks: false });
        assert.equal(r.status, 503);
        assert.equal((await r.json()).error.status, 'UNAVAILABLE');
        await new Promise((res) => setTimeout(res, 20));
        assert.ok(
          e.store.get('projects/p1/global/networks/n1'),
          'the network exists although the client saw 503',
        );
      },
    );
  });

  it('answers late with slow', async () => {
    await withEmulator(
      { faults: { rules: [{ method: 'GET', fault: 'slow', delayMs: 300 }] } },
      async (e) => {
        const started = Date.now();
        const r = await get(e, `${NETWORKS}/none`);
        assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
        assert.equal(r.status, 404, 'then answers as the API does');
      },
    );
  });

  it('ends a compute operation in error and applies none of its effects', async () => {
    await withEmulator(
      { faults: { rules: [{ api: 'compute', fault: 'operation-error' }] } },
      async (e) => {
        const op = await (
          await post(e, NETWORKS, { name: 'n1', autoCreateSubnetworks: false })
        ).json();
        assert.equal(op.status, 'RUNNING', 'accepted first');
        let done = op;
        for (let i = 0; i < 5 && done.status !== 'DONE'; i++) {
          done = await (
            await post(e, `/compute/v1/projects/p1/global/operations/${op.name}/wait`, {})
          ).json();
        }
        assert.equal(done.status, 'DONE');
        assert.equal(done.error.errors[0].code, 'INTERNAL_ERROR');
        assert.equal(done.httpErrorStatusCode, 500);
        assert.equal(e.store.get('projects/p1/global/networks/n1'), undefined);
      },
    );
  });

  it('ends a google.longrunning operation in error (UNAVAILABLE) and creates nothing', async () => {
    await withEmulator(
      { faults: { rules: [{ api: 'networksecurity', method: 'POST', fault: 'operation-error' }] } },
      async (e) => {
        const op = await (
          await post(e, `${URL_LISTS}?urlListId=u1`, { values: ['a.example.com'] })
        ).json();
        let cur = op;
        for (let i = 0; i < 5 && !cur.done; i++)
          cur = await (await get(e, `/v1/${op.name}`)).json();
        assert.equal(cur.done, true);
        assert.deepEqual(cur.error, { code: 14, message: 'The service is currently unavailable.' });
        assert.equal(e.store.get('projects/p1/locations/us-central1/urlLists/u1'), undefined);
      },
    );
  });

  it('hits the same requests for the same seed, and others for another seed', async () => {
    const statuses = async (seed: number): Promise<number[]> => {
      const out: number[] = [];
      await withEmulator(
        { faults: { seed, rules: [{ probability: 0.3, fault: 500 }] } },
        async (e) => {
          for (let i = 0; i < 40; i++) out.push((await get(e, `${NETWORKS}/n${i % 4}`)).status);
        },
      );
      return out;
    };
    const a = await statuses(7);
    assert.deepEqual(await statuses(7), a);
    assert.notDeepEqual(await statuses(8), a);
    const hits = a.filter((s) => s === 500).length;
    assert.ok(hits > 4 && hits < 24, `${hits} of 40 hit at 30%`);
  });

  it('counts what it injected and stops after times', async () => {
    const faults = new FaultInjector({ rules: [{ method: 'GET', fault: 503, times: 2 }] });
    await withEmulator({ faults }, async (e) => {
      const got = [];
      for (let i = 0; i < 4; i++) got.push((await get(e, `${NETWORKS}/x`)).status);
      assert.deepEqual(got, [503, 503, 404, 404]);
      const shown = await (await fetch(`${e.url}/_emulator/faults`)).json();
      assert.deepEqual(shown.injected, { total: 2, byKind: { 503: 2 } });
    });
  });

  it('takes rules through PUT /_emulator/faults and refuses a bad one by name', async () => {
    await withEmulator({}, async (e) => {
      const put = (body: unknown): Promise<Response> =>
        fetch(`${e.url}/_emulator/faults`, {
          method: 'PUT',
          headers: H,
          body: JSON.stringify(body),
        });
      const bad = await put({ rules: [{ fault: 'explode' }] });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).error.message, /rules\[0\]\.fault: "explode" is not/);
      const unknown = await put({ rules: [{ fault: 503, probabilty: 0.5 }] });
      assert.match((await unknown.json()).error.message, /unknown field "probabilty"/);
      assert.equal((await put({ seed: 3, rules: [{ api: 'compute', fault: 503 }] })).status, 200);
      assert.equal((await get(e, `${NETWORKS}/x`)).status, 503);
      assert.equal((await put({ rules: [] })).status, 200);
      assert.equal((await get(e, `${NETWORKS}/x`)).status, 404);
    });
  });
});
