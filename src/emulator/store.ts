import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationRecord } from './operations.js';

// The emulator's whole state: resources keyed by canonical resource name
// (`projects/p/global/networks/n`, `b/bucket/o/object`), pending and finished
// operations, and requestId replays. Written through to one JSON file after
// every change (atomically, by rename), never by periodic snapshot, so a
// killed process loses nothing that was acknowledged.

export type Resource = Record<string, any>;

export interface StateData {
  resources: Record<string, Resource>;
  operations: Record<string, OperationRecord>;
  /** `<project>/<requestId>` -> operation name first returned for it. */
  requestIds: Record<string, string>;
  /** Monotonic counter behind numeric ids and operation names. */
  counter: number;
  /**
   * Facts about the world outside the emulated resources that a test sets
   * through a control and a later process must still see (the caller's
   * denied permissions, lowered quota limits), by setting name.
   */
  settings: Record<string, unknown>;
}

const emptyState = (): StateData => ({ resources: {}, operations: {}, requestIds: {}, counter: 0, settings: {} });

export class Store {
  private data: StateData;
  private dirty = false;

  constructor(private readonly file?: string) {
    this.data = file ? readState(file) : emptyState();
  }

  get(name: string): Resource | undefined {
    return this.data.resources[name];
  }

  put(name: string, value: Resource): void {
    this.data.resources[name] = value;
    this.dirty = true;
  }

  delete(name: string): boolean {
    const had = name in this.data.resources;
    delete this.data.resources[name];
    this.dirty ||= had;
    return had;
  }

  /** Resources directly under `collection/` (one path segment deeper). */
  list(collection: string): Resource[] {
    const prefix = collection.endsWith('/') ? collection : `${collection}/`;
    return Object.entries(this.data.resources)
      .filter(([k]) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'))
      .map(([, v]) => v);
  }

  /** Every resource whose name starts with `prefix` (any depth). */
  entries(prefix = ''): [string, Resource][] {
    return Object.entries(this.data.resources).filter(([k]) => k.startsWith(prefix));
  }

  get operations(): Record<string, OperationRecord> {
    return this.data.operations;
  }

  get requestIds(): Record<string, string> {
    return this.data.requestIds;
  }

  nextCounter(): number {
    this.data.counter += 1;
    this.dirty = true;
    return this.data.counter;
  }

  setting<T>(name: string): T | undefined {
    return this.data.settings[name] as T | undefined;
  }

  setSetting(name: string, value: unknown): void {
    this.data.settings[name] = value;
    this.dirty = true;
  }

  markDirty(): void {
    this.dirty = true;
  }

  reset(): void {
    this.data = emptyState();
    this.dirty = true;
  }

  /** The whole state as text, to put back if a request must leave no trace. */
  snapshot(): string {
    return JSON.stringify(this.data);
  }

  restore(snapshot: string): void {
    this.data = JSON.parse(snapshot) as StateData;
    this.dirty = true;
  }

  /** Writes the state file if anything changed since the last flush. */
  flush(): void {
    if (!this.dirty || !this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}

function readState(file: string): StateData {
  mkdirSync(join(file, '..'), { recursive: true });
  try {
    return { ...emptyState(), ...JSON.parse(readFileSync(file, 'utf8')) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new Error(`emulator state ${file} is unreadable (${(err as Error).message}); ` +
      'move it aside or delete the state folder to start fresh');
  }
}
