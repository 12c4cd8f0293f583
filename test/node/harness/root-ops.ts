// What the agent does to the scenario's root: run commands in it with a clean
// environment, read and write its files, and list what the overlay's upper
// layer holds (every file changed since the root was built).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, chmodSync } from "node:fs";
import { dirname, join, posix } from "node:path";

export const ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run argv chrooted into root, with only PATH, HOME and env set. */
export function chrootRun(root: string, argv: string[], env: Record<string, string>,
  timeoutMs: number): Promise<RunResult> {
  const vars = Object.entries({ PATH: ROOT_PATH, HOME: "/root", ...env }).map(([k, v]) => `${k}=${v}`);
  const started = process.hrtime.bigint();
  const child = spawn("chroot", [root, "/usr/bin/env", "-i", ...vars, ...argv],
    { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, stdout, stderr, ms });
    });
  });
}

export interface RootFile {
  /** File content as base64, or null when the path does not exist. */
  base64: string | null;
  mode?: number;
}

/** Read a file of the root, following symlinks as the root would (absolute ones inside it). */
export function readRootFile(root: string, path: string): RootFile {
  const full = resolveInRoot(root, path);
  if (full === undefined || !existsSync(full)) return { base64: null };
  return { base64: readFileSync(full).toString("base64"), mode: lstatSync(full).mode & 0o7777 };
}

function resolveInRoot(root: string, path: string, depth = 0): string | undefined {
  if (depth > 20) return undefined;
  const parts = path.split("/").filter((p) => p !== "");
  let current = "/";
  for (let i = 0; i < parts.length; i++) {
    const next = posix.join(current, parts[i]);
    const full = join(root, next);
    if (isSymlink(full)) {
      const target = readlinkSync(full);
      const base = target.startsWith("/") ? target : posix.join(current, target);
      return resolveInRoot(root, posix.join(base, ...parts.slice(i + 1)), depth + 1);
    }
    current = next;
  }
  return join(root, current);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export function writeRootFile(root: string, path: string, content: string, mode = 0o644): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
}

/** Paths the harness itself writes (squid's state), not the script. */
const NOT_THE_SCRIPT = [/^var\/log\/squid\//, /^var\/spool\/squid\//, /^etc\/squid\/dpgce-test\.conf$/,
  /^tmp\//, /^opt\/dpgce(-test)?\//, /^etc\/hosts$/];

/** Every regular file and symlink in the overlay's upper layer, by content hash and mtime. */
export function snapshot(upper: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path, relPath);
      else if (NOT_THE_SCRIPT.some((re) => re.test(relPath))) continue;
      else if (st.isSymbolicLink()) out[relPath] = `link ${readlinkSync(path)}`;
      else if (st.isCharacterDevice()) out[relPath] = "deleted";
      else {
        const hash = createHash("sha256").update(readFileSync(path)).digest("hex");
        out[relPath] = `${hash} mtime=${st.mtimeMs} ino=${st.ino}`;
      }
    }
  };
  walk(upper, "");
  return out;
}
