import type { Desired, Observed, ResourceHandler, RunContext } from '../resources/types.js';

// The read phase: observe every resource of the graph. Reads follow the
// dependency order (independent ones in parallel), so a handler can use what
// its dependencies were found to be, and a resource whose parent is missing
// is known to be missing without a request.

export async function readAll(
  ctx: RunContext,
  graph: Desired[],
  handlers: Record<string, ResourceHandler>,
): Promise<Map<string, Observed>> {
  const started = new Map<string, Promise<Observed>>();
  const byAddress = new Map(graph.map((d) => [d.address, d]));

  const read = (d: Desired): Promise<Observed> => {
    let p = started.get(d.address);
    if (p) return p;
    p = (async () => {
      // deleteAfter too: the router's reading needs to know whether the gateway is ours.
      await Promise.all([...d.dependsOn, ...(d.deleteAfter ?? [])].filter((a) => byAddress.has(a))
        .map((a) => read(byAddress.get(a)!)));
      const parent = d.parent ? ctx.observed.get(d.parent) : undefined;
      // Nothing can exist under a missing parent or behind a disabled service
      // (whose API would answer 403 SERVICE_DISABLED, not 404).
      const o: Observed = (parent && !parent.exists) || behindDisabledService(d)
        ? { exists: false, owned: false }
        : await handlers[d.kind].read(ctx, d);
      ctx.observed.set(d.address, o);
      return o;
    })();
    started.set(d.address, p);
    return p;
  };

  const disabled = new Map<string, boolean>();
  const behindDisabledService = (d: Desired): boolean => {
    let hit = disabled.get(d.address);
    if (hit === undefined) {
      // A contained resource is served by its container's API: it is behind a
      // disabled service only if its container is (an object's bucket, not the
      // CA whose PEM it holds).
      const container = d.parent ? byAddress.get(d.parent) : undefined;
      if (container) {
        hit = behindDisabledService(container);
        disabled.set(d.address, hit);
        return hit;
      }
      hit = d.dependsOn.some((a) => {
        const dep = byAddress.get(a);
        if (!dep) return false;
        return dep.kind === 'service' ? !ctx.observed.get(a)?.exists : behindDisabledService(dep);
      });
      disabled.set(d.address, hit);
    }
    return hit;
  };

  await Promise.all(graph.map(read));
  return ctx.observed;
}
