import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

// One process at a time owns an emulator state folder: two `--local` runs on
// the same folder serialize here instead of interleaving writes. The lock is a
// file created exclusively; a holder that died (same host, pid gone) is
// taken over, a live one is waited for and then named in the error.

interface Holder {
  pid: number;
  host: string;
  since: string;
  /** Set by `dpgce emulator serve`: where it serves this folder. It runs until stopped, so nobody waits for it. */
  serving?: string;
}

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  waitMs: number;
  /** Told once, when the lock is found held by a live process. */
  onWait?: (message: string) => void;
}

export async function acquireStateLock(dir: string, opts: LockOptions): Promise<() => void> {
  const file = join(dir, 'lock');
  const deadline = Date.now() + opts.waitMs;
  let told = false;

  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }

    const holder = readHolder(file);
    if (holder === 'unreadable') {
      // Another process may be between creating the file and writing it.
      if (fileAgeMs(file) > 5000) rmSync(file, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (!holder || isDead(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    const age = Math.round((Date.now() - Date.parse(holder.since)) / 1000);
    if (holder.serving) {
      throw new Error(`emulator state ${dir} is served by \`dpgce emulator serve\` at ${holder.serving} ` +
        `(process ${holder.pid} on ${holder.host}, for ${age}s): use --emulator ${holder.serving} instead of ` +
        '--local to work on it, or stop that server first');
    }
    if (!told) {
      told = true;
      opts.onWait?.(`waiting for ${dir}: locked by process ${holder.pid} on ${holder.host} for ${age}s ` +
        `(up to ${Math.round(opts.waitMs / 1000)}s)`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `emulator state ${dir} is locked by process ${holder.pid} on ${holder.host} ` +
          `(held for ${age}s); wait for it to finish, or remove ${file} if that process is gone`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Records, in the lock this process holds, the URL it serves the folder at. */
export function markServing(dir: string, url: string): void {
  const file = join(dir, 'lock');
  const holder = readHolder(file);
  if (!holder || holder === 'unreadable' || holder.pid !== process.pid) return;
  writeFileSync(file, JSON.stringify({ ...holder, serving: url }));
}

function readHolder(file: string): Holder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // vanished: free
  }
  try {
    return JSON.parse(text) as Holder;
  } catch {
    return 'unreadable';
  }
}

function fileAgeMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function isDead(h: Holder): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
