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
      await Promise.all(d.dependsOn.filter((a) => byAddress.has(a)).map((a) => read(byAddress.get(a)!)));
      const parent = d.parent ? ctx.observed.get(d.parent) : undefined;
      const o: Observed = parent && !parent.exists
        ? { exists: false, owned: false }
        : await handlers[d.kind].read(ctx, d);
      ctx.observed.set(d.address, o);
      return o;
    })();
    started.set(d.address, p);
    return p;
  };

  await Promise.all(graph.map(read));
  return ctx.observed;
}
