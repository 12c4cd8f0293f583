import { markOf, type Desired, type FieldDiff, type Observed, type ResourceHandler } from '../resources/types.js';
import { clusterBlockers } from './cluster-checks.js';

// The planner: desired graph + observed state -> the changes to make. Pure:
// no I/O, so every decision here is testable from fixtures. Ownership is
// decided here too: a resource with our name but without our mark stops the
// plan instead of being changed or deleted.

export type Action = 'create' | 'update' | 'replace' | 'delete';

export interface Change {
  action: Action;
  address: string;
  kind: string;
  name: string;
  reason: string;
  diffs?: FieldDiff[];
}

/** A reason the plan cannot be applied as is. */
export interface Blocker {
  address: string;
  name: string;
  summary: string;
  detail: string;
}

export interface Plan {
  changes: Change[];
  unchanged: string[];
  blockers: Blocker[];
  /** Things left alone on purpose (reused shared resources, kept buckets). */
  notes: string[];
}

export interface PlanOptions {
  /** Treat resources found without our mark as ours (`--adopt`). */
  adopt?: boolean;
  /** `down`: also delete objects dpgce did not write, so owned buckets can go. */
  deleteBucketContents?: boolean;
}

type Handlers = Record<string, Pick<ResourceHandler, 'diff'>>;

export function planUp(graph: Desired[], observed: Map<string, Observed>, handlers: Handlers, opts: PlanOptions = {}): Plan {
  const plan: Plan = { changes: [], unchanged: [], blockers: [], notes: [] };
  const change = (d: Desired, action: Action, reason: string, diffs?: FieldDiff[]): void =>
    void plan.changes.push({ action, address: d.address, kind: d.kind, name: d.name, reason, diffs });

  for (const d of topological(graph)) {
    const o = observed.get(d.address) ?? { exists: false, owned: false };

    // 0. Inside a blocked parent (someone else's pool, bucket, zone): its blocker says it all.
    if (d.parent && plan.blockers.some((b) => b.address === d.parent)) continue;

    // 0a. Inside a bucket of another project (bucket names are global): never
    // create, change or adopt anything there, our service account's grant included.
    const container = d.parent ? observed.get(d.parent) : undefined;
    if (container?.otherProject) {
      plan.blockers.push({ address: d.address, name: d.name,
        summary: `${d.name} would be in a bucket of another project (number ${container.otherProject})`,
        detail: 'Bucket names are global. Choose bucket names of your own in env.json (BUCKET, TEMP_BUCKET, ' +
          'PROXY_CERT_GCS_PATH); dpgce never writes into another project\'s bucket, --adopt included.' });
      continue;
    }

    // 0b. Leftovers env.json no longer names: ours go, someone else's stop the run.
    if (d.orphan) {
      if (o.owned) change(d, 'delete', 'no longer in env.json');
      else plan.blockers.push({ address: d.address, name: d.name,
        summary: `${d.name} is in this environment's policy but was not written by dpgce` +
          (o.actual ? ` (${o.actual.basicProfile ?? ''} at priority ${o.actual.priority ?? '?'}: ${o.actual.sessionMatcher ?? ''})` : ''),
        detail: 'Secure Web Proxy evaluates every rule of the policy, so this one decides traffic too. ' +
          'Delete it, or move it to a policy of its own, then run again.' });
      continue;
    }

    // 1. Things dpgce never creates.
    if (d.adoption === 'observe') {
      plan.unchanged.push(d.address);
      continue;
    }

    // 2. Missing: create (the default route comes with a new network).
    if (!o.exists) {
      const networkIsNew = !(observed.get('network.main')?.exists ?? false);
      if (d.kind === 'route' && networkIsNew) {
        plan.unchanged.push(d.address);
        continue;
      }
      change(d, 'create', d.kind === 'route'
        ? 'the network has no route to the default internet gateway, which Dataproc, Private Google Access and the proxy NAT need; isolation comes from the egress firewall rules'
        : d.kind === 'service' ? 'not enabled' : 'does not exist');
      continue;
    }

    // 3. Present but not ours.
    if (!o.owned) {
      if (d.adoption === 'reuse' || d.kind === 'route') {
        if (d.kind !== 'route') {
          plan.notes.push(`${d.address}: using ${o.foundName ?? d.name} as found (not owned, never changed or deleted)`);
        }
        plan.unchanged.push(d.address);
        continue;
      }
      if (o.otherProject) {
        plan.blockers.push({ address: d.address, name: o.foundName ?? d.name,
          summary: `${o.foundName ?? d.name} belongs to another project (number ${o.otherProject}), not this environment's project`,
          detail: 'Bucket names are global. Choose bucket names of your own in env.json (BUCKET, TEMP_BUCKET, ' +
            'PROXY_CERT_GCS_PATH); dpgce never changes, deletes or adopts another project\'s bucket, --adopt included.' });
        continue;
      }
      const otherEnv = markOf(o.actual);
      if (otherEnv && otherEnv !== markOf(d.spec)) {
        plan.blockers.push({ address: d.address, name: o.foundName ?? d.name,
          summary: `${o.foundName ?? d.name} belongs to another dpgce environment, "${otherEnv}"`,
          detail: 'Two environments cannot share a resource name. Give this env.json its own ENV_NAME (or name ' +
            'override), or run this command with the other environment\'s env.json. --adopt never takes it over.' });
        continue;
      }
      if (!opts.adopt) {
        const differs = handlers[d.kind].diff(d, o);
        plan.blockers.push({ address: d.address, name: o.foundName ?? d.name,
          summary: `${o.foundName ?? d.name} exists but does not carry this environment's ownership mark` +
            (differs.length ? `, and differs from env.json: ${fieldList(differs)}` : ''),
          detail: 'dpgce changes and deletes only what it created. If this resource is meant to be part of the ' +
            'environment, run again with --adopt (which also applies the differences); otherwise change ENV_NAME ' +
            'or the name override in env.json.' });
        continue;
      }
    }

    // 4. Ours (or adopted): compare.
    const diffs = handlers[d.kind].diff(d, o);
    const adopting = !o.owned;
    if (diffs.length === 0 && !adopting) {
      plan.unchanged.push(d.address);
    } else if (diffs.some((x) => x.immutable)) {
      change(d, 'replace', `immutable ${fieldList(diffs.filter((x) => x.immutable))} changed`, diffs);
    } else {
      change(d, 'update', adopting ? `adopt: add the ownership mark${diffs.length ? `; ${fieldList(diffs)}` : ''}`
        : fieldList(diffs), diffs);
    }
  }

  cascadeReplacements(graph, observed, plan);

  // 5. What would make a new cluster fail to boot stops the plan now.
  plan.blockers.push(...clusterBlockers(graph, observed, plan.changes));
  return plan;
}

/** `down`: delete what is present and owned, dependents before dependencies. */
export function planDown(graph: Desired[], observed: Map<string, Observed>, opts: PlanOptions = {}): Plan {
  const plan: Plan = { changes: [], unchanged: [], blockers: [], notes: [] };
  for (const d of topological(graph).reverse()) {
    const o = observed.get(d.address) ?? { exists: false, owned: false };
    if (!o.exists) continue;
    if (d.kind === 'service') continue; // never disabled: other workloads may use them
    if (!o.owned) {
      plan.notes.push(`${d.address}: ${o.foundName ?? d.name} is not owned by this environment; left alone`);
      continue;
    }
    const foreign = Number(o.actual?.foreignObjects ?? 0);
    if (d.kind === 'bucket' && foreign > 0 && !opts.deleteBucketContents) {
      plan.notes.push(`${d.address}: keeps ${foreign} object(s) dpgce did not write, so the bucket stays; ` +
        'pass --delete-bucket-contents to delete them and the bucket');
      continue;
    }
    plan.changes.push({ action: 'delete', address: d.address, kind: d.kind, name: o.foundName ?? d.name,
      reason: d.kind === 'router' ? 'after the gateway: no other Secure Web Proxy gateway of this network and region uses it'
        : d.kind === 'bucket' && foreign > 0 ? `owned by this environment; also deletes the ${foreign} object(s) dpgce did not write (--delete-bucket-contents)`
          : 'owned by this environment' });
  }
  // Show what must outlive others (the proxy's router) after them.
  for (const d of graph.filter((x) => x.deleteAfter?.length)) {
    const i = plan.changes.findIndex((c) => c.address === d.address);
    const last = Math.max(...d.deleteAfter!.map((a) => plan.changes.findIndex((c) => c.address === a)));
    if (i >= 0 && last > i) plan.changes.splice(last, 0, ...plan.changes.splice(i, 1));
  }
  return plan;
}

export function summarize(plan: Plan): Record<'create' | 'update' | 'replace' | 'delete' | 'unchanged', number> {
  const count = (a: Action): number => plan.changes.filter((c) => c.action === a).length;
  return { create: count('create'), update: count('update'), replace: count('replace'),
    delete: count('delete'), unchanged: plan.unchanged.length };
}

/**
 * A resource that is replaced takes everything built on it along: the
 * gateway cannot move to a new subnet, a zone cannot go while it holds
 * records. Dependents that exist are replaced too (removed first, rebuilt
 * after), so the replacement never stalls on "in use".
 */
function cascadeReplacements(graph: Desired[], observed: Map<string, Observed>, plan: Plan): void {
  const byAddress = new Map(plan.changes.map((c) => [c.address, c]));
  const queue = plan.changes.filter((c) => c.action === 'replace').map((c) => c.address);
  while (queue.length) {
    const replaced = queue.shift()!;
    for (const d of graph.filter((x) => x.dependsOn.includes(replaced) && x.kind !== 'service')) {
      const o = observed.get(d.address);
      const current = byAddress.get(d.address);
      if (!o?.exists || d.adoption === 'observe' || current?.action === 'replace' || current?.action === 'delete') continue;
      if (d.kind === 'route' && !o.owned) continue; // the system default route goes with its network
      if (!o.owned) {
        plan.blockers.push({ address: d.address, name: d.name, summary: `${d.name} depends on ${replaced}, which must be replaced, but is not owned by this environment`,
          detail: 'dpgce cannot replace what it does not own; restore the previous value in env.json, or move that resource yourself first.' });
        continue;
      }
      const reason = `replaced along with ${replaced}, which it is built on`;
      if (current) Object.assign(current, { action: 'replace', reason: `${current.reason}; ${reason}` });
      else {
        const c: Change = { action: 'replace', address: d.address, kind: d.kind, name: d.name, reason };
        plan.changes.push(c);
        byAddress.set(d.address, c);
        plan.unchanged = plan.unchanged.filter((a) => a !== d.address);
      }
      queue.push(d.address);
    }
  }
  const order = new Map(topological(graph).map((d, i) => [d.address, i]));
  plan.changes.sort((a, b) => (order.get(a.address) ?? 0) - (order.get(b.address) ?? 0));
}

/** Dependencies before dependents; otherwise the graph's own order. */
export function topological(graph: Desired[]): Desired[] {
  const byAddress = new Map(graph.map((d) => [d.address, d]));
  const out: Desired[] = [];
  const seen = new Set<string>();
  const visit = (d: Desired): void => {
    if (seen.has(d.address)) return;
    seen.add(d.address);
    for (const a of d.dependsOn) {
      const dep = byAddress.get(a);
      if (dep) visit(dep);
    }
    out.push(d);
  };
  graph.forEach(visit);
  return out;
}

function fieldList(diffs: FieldDiff[]): string {
  return diffs.map((d) => `${d.field}: ${JSON.stringify(d.from)} -> ${JSON.stringify(d.to)}`).join('; ');
}
