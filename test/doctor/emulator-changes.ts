// Changes to a built environment made the way a user's would arrive: REST
// requests to an emulator serving the environment's state folder (on
// loopback), operations waited for as gcloud does. The emulator is
// closed before doctor runs, so doctor's own embedded emulator reads the
// changed state.

import { startEmulator } from '../../src/emulator/server.js';

export const PROJECT = 'dpgce-demo-project';
export const REGION = 'us-central1';
export const NETWORK = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/dpgce-net`;
const COMPUTE = `/compute/v1/projects/${PROJECT}`;

export type Request = (method: string, path: string, body?: unknown) => Promise<any>;

/** Runs `change` against an emulator over `state`, then releases the folder. */
export async function changeState(state: string, change: (request: Request) => Promise<void>): Promise<void> {
  const e = await startEmulator({ stateDir: state });
  const request: Request = async (method, path, body) => {
    const res = await fetch(`${e.url}${path}`, {
      method, headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let out = await res.json() as any;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(out)}`);
    while (out.kind === 'compute#operation' && out.status !== 'DONE') {
      const scope = out.region ? `regions/${REGION}` : 'global';
      out = await (await fetch(`${e.url}${COMPUTE}/${scope}/operations/${out.name}/wait`,
        { method: 'POST', headers: { authorization: 'Bearer t' } })).json();
    }
    // google.longrunning operations (Network Services and the others): poll the operation by name.
    // A running one carries no `done` (proto3 leaves false out).
    while (!out.done && typeof out.name === 'string' && out.name.includes('/operations/')) {
      out = await (await fetch(`${e.url}/v1/${out.name}`, { headers: { authorization: 'Bearer t' } })).json();
    }
    if (out.error) throw new Error(`${method} ${path}: ${JSON.stringify(out.error)}`);
    return out;
  };
  try {
    await change(request);
  } finally {
    await e.close();
  }
}

export const insertFirewall = (request: Request, rule: Record<string, unknown>): Promise<any> =>
  request('POST', `${COMPUTE}/global/firewalls`, { network: NETWORK, ...rule });

export const compute = (path: string): string => `${COMPUTE}/${path}`;
