import type { EnvConfig } from '../config/types.js';
import type { ResourceNames } from '../config/names.js';
import type { Session } from '../gcp/session.js';

// The vocabulary shared by plan/, apply/ and resources/: what the
// environment wants (Desired), what the cloud has (Observed), and the
// per-kind handler that reads, creates, updates and deletes one resource.

/** One resource the environment wants. Invariant: `address` is unique in a graph. */
export interface Desired {
  /** `<kind>.<logical-name>`, e.g. `subnetwork.cluster`. */
  address: string;
  kind: string;
  /** Full cloud resource name, e.g. `projects/p/regions/r/subnetworks/s`. */
  name: string;
  /** Addresses that must exist before this one is created (and outlive it). */
  dependsOn: string[];
  /** Kind-specific desired state, usually the API request body. */
  spec: Record<string, any>;
  /**
   * `reuse`: if found without our mark, use it as it is and never change or
   * delete it (a shared proxy-only subnet, the proxy CA's bucket).
   * `observe`: never created by us (the proxy's autogen router).
   */
  adoption?: 'reuse' | 'observe';
  /**
   * The containing resource (zone of a record set, bucket of an object, pool
   * of a CA). When the parent is missing, this one is missing too, unread.
   */
  parent?: string;
  /**
   * `down` only: delete this after these are gone, although it does not
   * depend on them (the proxy's router outlives the proxy).
   */
  deleteAfter?: string[];
  /**
   * Found in the cloud but no longer in env.json (a rule of a preset that was
   * removed): deleted by `up` when owned, reported when not.
   */
  orphan?: boolean;
}

export interface Observed {
  exists: boolean;
  /** Carries this environment's ownership mark (or follows an owned parent). */
  owned: boolean;
  /** The resource as the API returned it. */
  actual?: Record<string, any>;
  /** When found under another name (a shared proxy-only subnet). */
  foundName?: string;
  /**
   * The project number it belongs to, when that is not this environment's
   * project: a bucket's name is global, so a bucket of another project can
   * carry the same name and even the same mark. Never ours, never adopted.
   */
  otherProject?: string;
}

/** One field that differs between desired and actual. */
export interface FieldDiff {
  field: string;
  from: unknown;
  to: unknown;
  /** Changing it needs delete + create. */
  immutable: boolean;
}

export interface RunContext {
  session: Session;
  config: EnvConfig;
  names: ResourceNames;
  /** The project number, read once (service agents are named after it). */
  projectNumber(): Promise<string>;
  /**
   * Observed state of other resources. Reads run in dependency order, so a
   * handler may look at what its dependencies were found to be.
   */
  observed: Map<string, Observed>;
  /** Which command reads: `down` also counts objects dpgce did not write. */
  purpose: 'up' | 'down' | 'status';
  /** `down --delete-bucket-contents`: the foreign objects seen at read time may go. */
  deleteBucketContents?: boolean;
  /**
   * The run lock this run holds (src/apply/run-lock.ts): an object in the
   * staging bucket, released before that bucket is deleted.
   */
  runLock?: { bucket: string; release(): Promise<void> };
}

export interface ResourceHandler {
  kind: string;
  read(ctx: RunContext, d: Desired): Promise<Observed>;
  /** Pure: fields that differ. Called by the planner only when owned. */
  diff(d: Desired, o: Observed): FieldDiff[];
  create(ctx: RunContext, d: Desired): Promise<void>;
  /** Applies mutable diffs in place; absent when every field is immutable. */
  update?(ctx: RunContext, d: Desired, o: Observed, diffs: FieldDiff[]): Promise<void>;
  delete(ctx: RunContext, d: Desired, o: Observed): Promise<void>;
  /** One line for `status`: what the resource is and what it targets. */
  describe?(d: Desired, o: Observed): string;
}

/** Compares selected fields; `norm` maps both sides to a comparable form. */
export function diffFields(
  desired: Record<string, any>,
  actual: Record<string, any> | undefined,
  fields: { field: string; immutable?: boolean; norm?: (v: any) => unknown }[],
): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const f of fields) {
    const norm = f.norm ?? ((v: unknown) => v);
    const want = norm(get(desired, f.field));
    const have = norm(get(actual ?? {}, f.field));
    if (JSON.stringify(want) !== JSON.stringify(have)) {
      out.push({ field: f.field, from: have, to: want, immutable: f.immutable ?? false });
    }
  }
  return out;
}

function get(obj: Record<string, any>, path: string): unknown {
  return path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), obj);
}

/** The ownership mark in descriptions, for APIs without labels. */
export const descriptionMark = (env: string): string => `[dpgce-env=${env}]`;

export const hasDescriptionMark = (description: unknown, env: string): boolean =>
  typeof description === 'string' && description.includes(descriptionMark(env));

/** The environment a resource says it belongs to, if any (label or description mark). */
export function markOf(actual: Record<string, any> | undefined): string | undefined {
  const label = actual?.labels?.['dpgce-env'];
  if (typeof label === 'string') return label;
  const m = /\[dpgce-env=([^\]]+)\]/.exec(String(actual?.description ?? ''));
  return m?.[1] ?? actual?.metadata?.['dpgce-env'];
}

export const hasLabelMark = (labels: unknown, env: string): boolean =>
  !!labels && (labels as Record<string, string>)['dpgce-env'] === env;
