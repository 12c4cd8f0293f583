import { waitLro } from '../gcp/operations.js';
import type { RunContext } from './types.js';

// Waiting for a google.longrunning.Operation of any of the newer APIs, each
// polled through its own client's `operations.get`.

export type LroApi = 'networkservices' | 'networksecurity' | 'certificatemanager' | 'privateca' | 'serviceusage'
  | 'dataproc';

export async function awaitOperation(
  ctx: RunContext, api: LroApi, op: any, method: string, resource: string,
): Promise<Record<string, any> | undefined> {
  const s = ctx.session;
  const site = { method, resource };
  switch (api) {
    case 'serviceusage': {
      const c = await s.client('serviceusage');
      return waitLro(s, op, site, (name) => c.operations.get({ name }) as any);
    }
    case 'dataproc': {
      // Dataproc operations live under regions, not locations.
      const c = await s.client('dataproc');
      return waitLro(s, op, site, (name) => c.projects.regions.operations.get({ name }) as any);
    }
    default: {
      const c: any = await s.client(api);
      return waitLro(s, op, site, (name) => c.projects.locations.operations.get({ name }));
    }
  }
}
