import { HANDLERS } from '../resources/index.js';
import type { Desired, Observed } from '../resources/types.js';
import { prepare, type TargetOptions } from './context.js';
import { paint, printJson, useColor } from './output.js';

export type ResourceState = 'present' | 'missing' | 'drifted' | 'error';

export interface StatusEntry {
  address: string;
  kind: string;
  name: string;
  state: ResourceState;
  owned: boolean;
  detail: string;
}

/** `dpgce status`: every resource of the environment and its state; exit 1 if any is not present. */
export async function status(opts: TargetOptions): Promise<void> {
  const p = await prepare(opts, 'status');
  try {
    const networkExists = p.ctx.observed.get('network.main')?.exists;
    const entries = p.graph.map((d) => entry(d, p.ctx.observed.get(d.address), networkExists));
    if (opts.json) printJson({ resources: entries });
    else process.stdout.write(statusText(entries, useColor(process.stdout)));
    if (entries.some((e) => e.state !== 'present')) process.exitCode = 1;
  } finally {
    await p.session.close();
  }
}

export function entry(d: Desired, o: Observed | undefined, networkExists?: boolean): StatusEntry {
  const base = { address: d.address, kind: d.kind, name: o?.foundName ?? d.name, owned: !!o?.owned };
  if (!o?.exists) {
    const detail = d.kind === 'route' && networkExists
      ? 'no 0.0.0.0/0 route to the default internet gateway: Dataproc, Private Google Access and the proxy NAT need it; run up to restore it'
      : d.kind === 'secret' ? 'does not exist: `dpgce secure-boot keys` creates it'
      : d.adoption === 'observe' ? 'created by the Secure Web Proxy with its first gateway' : 'does not exist';
    // F17: a network without its default route is broken, not merely incomplete.
    const broken = d.kind === 'route' && !!networkExists;
    return { ...base, state: broken ? 'error' : 'missing', detail };
  }
  if (d.orphan) {
    return { ...base, state: o.owned ? 'drifted' : 'error', detail: o.owned
      ? 'no longer in env.json; up deletes it'
      : `not written by dpgce, yet part of this environment's policy: ${HANDLERS[d.kind].describe?.(d, o) ?? ''}` };
  }
  const h = HANDLERS[d.kind];
  const shared = !o.owned && (d.adoption === 'reuse' || d.kind === 'route' || d.adoption === 'observe');
  const diffs = o.owned ? h.diff(d, o) : [];
  const described = h.describe?.(d, o) ?? '';
  if (!o.owned && !shared) return { ...base, state: 'error', detail: `exists without the mark dpgce-env; ${described}` };
  if (diffs.length) {
    return { ...base, state: 'drifted', detail: diffs.map((x) => `${x.field}: ${JSON.stringify(x.from)} -> ${JSON.stringify(x.to)}`).join('; ') };
  }
  return { ...base, state: 'present', detail: shared ? `shared, not owned; ${described}` : described };
}

export function statusText(entries: StatusEntry[], color: boolean): string {
  const code: Record<ResourceState, number> = { present: 32, missing: 31, drifted: 33, error: 31 };
  const width = Math.max(...entries.map((e) => e.address.length));
  const lines = entries.map((e) =>
    `${paint(color, code[e.state], e.state.padEnd(8))} ${e.address.padEnd(width)}  ${e.detail}`);
  return `${lines.join('\n')}\n`;
}
