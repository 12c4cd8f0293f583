import assert from 'node:assert/strict';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';

// Plain HTTP against an in-process emulator for the tests of compute,
// storage, IAM, Resource Manager, Service Usage and Cloud DNS. No client-side
// code is used: requests are written the way the REST clients send them.

export interface Reply {
  status: number;
  json: any;
  bytes: Buffer;
  headers: Headers;
}

export interface Client {
  emu: Emulator;
  /** Any request; `body` is sent as JSON unless it is a Buffer or string. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  /** A request that must answer 2xx; returns the JSON body. */
  ok(method: string, path: string, body?: unknown): Promise<any>;
  /** Polls a compute#operation (GET on its selfLink path) until DONE. */
  computeDone(op: any): Promise<any>;
  /** A compute mutation that must end DONE without error. */
  compute(method: string, path: string, body?: unknown): Promise<any>;
  /**
   * Every item of a list, following page tokens (strict mode pages small and
   * shuffles): `key` is the list's array field; the first page is returned too.
   */
  all(path: string, key: string): Promise<{ items: any[]; first: any }>;
  close(): Promise<void>;
}

export async function client(opts: EmulatorOptions = {}): Promise<Client> {
  const emu = await startEmulator(opts);

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const raw = Buffer.isBuffer(body) || typeof body === 'string';
    const res = await fetch(emu.url + path, {
      method,
      headers: {
        authorization: 'Bearer test',
        ...(body === undefined || raw ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body:
        body === undefined
          ? undefined
          : raw
            ? toBody(body as string | Buffer)
            : JSON.stringify(body),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    let json: any;
    if ((res.headers.get('content-type') ?? '').includes('json') && bytes.length)
      json = JSON.parse(bytes.toString());
    return { status: res.status, json, bytes, headers: res.headers };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    assert.ok(
      r.status >= 200 && r.status < 300,
      `${method} ${path} -> ${r.status} ${r.bytes.toString()}`,
    );
    return r.json;
  };
  const computeDone = async (op: any) => {
    const path = new URL(op.selfLink).pathname;
    for (let i = 0; i < 20; i++) {
      const cur = await ok('GET', path);
      if (cur.status === 'DONE') return cur;
    }
    throw new Error(`operation ${op.name} never finished`);
  };
  const compute = async (method: string, path: string, body?: unknown) => {
    const final = await computeDone(await ok(method, path, body));
    assert.equal(
      final.error,
      undefined,
      `${method} ${path} failed: ${JSON.stringify(final.error)}`,
    );
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
  return { emu, call, ok, computeDone, compute, all, close: () => emu.close() };
}

const toBody = (b: string | Buffer): string | Blob =>
  typeof b === 'string' ? b : new Blob([new Uint8Array(b)]);

export const C = '/compute/v1/projects/p';
export const WWW = 'https://www.googleapis.com/compute/v1/projects/p';
