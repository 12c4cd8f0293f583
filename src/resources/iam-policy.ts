import { GcpError } from '../gcp/errors.js';
import { sleep } from '../gcp/retry.js';

// Read-modify-write of an IAM policy (project, bucket, CA pool). The etag
// makes concurrent writers safe: a stale etag is refused (409 ABORTED or
// 412) and the whole cycle starts again from a fresh read.

export interface Binding {
  role?: string | null;
  members?: string[] | null;
  condition?: unknown;
}

export interface Policy {
  bindings?: Binding[] | null;
  etag?: string | null;
  version?: number | null;
}

export const hasMember = (p: Policy | undefined, role: string, member: string): boolean =>
  !!p?.bindings?.some((b) => b.role === role && !b.condition && b.members?.includes(member));

export async function changeBinding(
  get: () => Promise<Policy>,
  set: (p: Policy) => Promise<unknown>,
  role: string,
  member: string,
  add: boolean,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const policy = await get();
    if (hasMember(policy, role, member) === add) return;
    const bindings = (policy.bindings ?? []).map((b) => ({ ...b, members: [...(b.members ?? [])] }));
    const target = bindings.find((b) => b.role === role && !b.condition);
    if (add) {
      if (target) target.members.push(member);
      else bindings.push({ role, members: [member] });
    } else if (target) {
      target.members = target.members.filter((m) => m !== member);
    }
    try {
      await set({ ...policy, bindings: bindings.filter((b) => b.members.length > 0) });
      return;
    } catch (err) {
      const conflict = err instanceof GcpError && (err.httpStatus === 409 || err.httpStatus === 412);
      if (!conflict || attempt >= 8) throw err;
      await sleep(50 * attempt + Math.random() * 100);
    }
  }
}
