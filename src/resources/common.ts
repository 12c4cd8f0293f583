import { randomUUID } from 'node:crypto';
import { GcpError, isServiceDisabled } from '../gcp/errors.js';

// Helpers shared by the resource modules.

/** Runs a read; a 404 (or a service still disabled) becomes `undefined` ("missing"), anything else throws. */
export async function orMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    // A service still off holds nothing (a service in use cannot be disabled).
    if (err instanceof GcpError && (err.notFound || isServiceDisabled(err))) return undefined;
    throw err;
  }
}

/** A fresh idempotency key, reused by every retry of one logical call. */
export const requestId = (): string => randomUUID();

/** Any compute reference (full URL or partial) -> `projects/...`. */
export function computePath(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const i = ref.indexOf('projects/');
  return i >= 0 ? ref.slice(i) : ref;
}

export const lastSegment = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

/** `projects/p/locations/l/x/y` -> `projects/p/locations/l`. */
export function parentOf(name: string, depth = 2): string {
  return name.split('/').slice(0, -depth).join('/');
}

/** Sorted copy, for order-insensitive comparisons. */
export const sorted = (v: unknown): unknown => (Array.isArray(v) ? [...v].map(String).sort() : v);

/** Sorted, with an absent list the same as an empty one (APIs omit empty lists). */
export const list = (v: unknown): unknown => (Array.isArray(v) ? [...v].map(String).sort() : []);
