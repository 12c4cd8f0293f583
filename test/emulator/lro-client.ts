import assert from 'node:assert/strict';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';

// Raw HTTP against an in-process emulator, the way Google's REST clients talk
// to it (no client-side code is shared with the emulator). Used by the tests
// of the google.longrunning APIs (networkservices, networksecurity,
// certificatemanager, privateca).

export interface Http {
  emu: Emulator;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** A call that must succeed (2xx); returns the JSON body. */
  ok(method: string, path: string, body?: unknown): Promise<any>;
  /** Polls an operation until done (bounded); returns the final operation. */
  wait(op: any): Promise<any>;
  /** Starts a mutation, waits for it, and fails the test on an operation error. */
  done(method: string, path: string, body?: unknown): Promise<any>;
  /** Every item of a list (`key`), following page tokens: strict mode pages small. */
  all(path: string, key: string): Promise<{ items: any[]; first: any }>;
  close(): Promise<void>;
}

export async function emulator(opts: EmulatorOptions = {}): Promise<Http> {
  const emu = await startEmulator(opts);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(emu.url + path, {
      method,
      headers: { authorization: 'Bearer test', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} -> ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const wait = async (op: any) => {
    for (let i = 0; i < 50; i++) {
      const cur = await ok('GET', `/v1/${op.name}`);
      if (cur.done) return cur;
    }
    throw new Error(`operation ${op.name} never finished`);
  };
  const done = async (method: string, path: string, body?: unknown) => {
    const final = await wait(await ok(method, path, body));
    assert.equal(final.error, undefined, `${method} ${path} failed: ${JSON.stringify(final.error)}`);
    return final;
  };
  const all = async (path: string, key: string) => {
    const items: any[] = [];
    let first: any;
    let token: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await ok('GET', token ? `${path}${sep}pageToken=${encodeURIComponent(token)}` : path);
      first ??= res;
      items.push(...(res[key] ?? []));
      token = res.nextPageToken;
    } while (token);
    return { items, first };
  };
  return { emu, call, ok, wait, done, all, close: () => emu.close() };
}

export const P = 'projects/p/locations/us-central1';

/** A DEVOPS pool with an ENABLED self-signed root CA, as dpgce builds it. */
export async function poolWithRoot(h: Http, pool = 'pool', ca = 'root'): Promise<void> {
  await h.done('POST', `/v1/${P}/caPools?caPoolId=${pool}`, {
    tier: 'DEVOPS', publishingOptions: { publishCaCert: true, publishCrl: false } });
  await h.done('POST', `/v1/${P}/caPools/${pool}/certificateAuthorities?certificateAuthorityId=${ca}`, {
    type: 'SELF_SIGNED', lifetime: '315360000s', keySpec: { algorithm: 'EC_P256_SHA256' },
    config: {
      subjectConfig: { subject: { commonName: 'swp-ca.internal.local', organization: 'dpgce test' } },
      x509Config: { caOptions: { isCa: true }, keyUsage: { baseKeyUsage: { certSign: true, crlSign: true } } },
    },
  });
  await h.done('POST', `/v1/${P}/caPools/${pool}/certificateAuthorities/${ca}:enable`, { requestId: crypto.randomUUID() });
}

/** Grants `role` on the pool to `member` by read-modify-write. */
export async function grant(h: Http, pool: string, member: string, role: string): Promise<void> {
  const policy = await h.ok('GET', `/v1/${P}/caPools/${pool}:getIamPolicy`);
  const bindings = [...(policy.bindings ?? []), { role, members: [member] }];
  await h.ok('POST', `/v1/${P}/caPools/${pool}:setIamPolicy`, { policy: { bindings, etag: policy.etag } });
}
