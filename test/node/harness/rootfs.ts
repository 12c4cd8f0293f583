// The Debian 12 root the scenarios run on: debootstrap from the Debian mirror
// the machine's apt uses, then the packages the boot script touches, installed
// with apt in a chroot. Built once and cached (DPGCE_ROOTFS_CACHE, else a
// folder under the temp dir keyed by the package list); a lock lets parallel
// test files share one build. Scenarios never write to it (they overlay it).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync,
  openSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const SUITE = "bookworm";
const BUILD_VERSION = 1;
/** In the root: what the script configures, plus squid for the proxy. */
export const ROOT_PACKAGES = ["squid-openssl", "python3-pip", "default-jre-headless", "gnupg",
  "dirmngr", "ca-certificates", "curl", "openssl"];

export interface Mirrors {
  main: string;
  security: string;
}

/** The bookworm mirrors from the host's apt sources (deb822 or one-line form). */
export function hostMirrors(): Mirrors {
  const fallback = { main: "http://deb.debian.org/debian", security: "http://deb.debian.org/debian-security" };
  if (process.env.DPGCE_DEBIAN_MIRROR) return { ...fallback, main: process.env.DPGCE_DEBIAN_MIRROR };
  const texts: string[] = [];
  for (const f of ["/etc/apt/sources.list"]) if (existsSync(f)) texts.push(readFileSync(f, "utf8"));
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) if (/\.(list|sources)$/.test(f)) texts.push(readFileSync(join(dir, f), "utf8"));
  }
  const found: Partial<Mirrors> = {};
  for (const text of texts) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1].split(/\s+/) ?? [];
      if (uri && suites.includes(SUITE)) found.main ??= uri;
      if (uri && suites.includes(`${SUITE}-security`)) found.security ??= uri;
    }
    for (const m of text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/gm)) {
      if (m[2] === SUITE) found.main ??= m[1];
      if (m[2] === `${SUITE}-security`) found.security ??= m[1];
    }
  }
  return { main: found.main ?? fallback.main, security: found.security ?? fallback.security };
}

export function rootfsCacheDir(): string {
  const key = createHash("sha256")
    .update(JSON.stringify({ BUILD_VERSION, SUITE, ROOT_PACKAGES, mirrors: hostMirrors() }))
    .digest("hex").slice(0, 12);
  return process.env.DPGCE_ROOTFS_CACHE ?? join(tmpdir(), `dpgce-rootfs-${key}`);
}

let building: Promise<string> | undefined;

/** The path of a ready root, building it first when the cache is empty. */
export function ensureRootfs(): Promise<string> {
  building ??= lockedBuild(rootfsCacheDir());
  return building;
}

async function lockedBuild(cache: string): Promise<string> {
  const root = join(cache, "root");
  const ready = join(cache, "ready");
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, "lock");
  for (;;) {
    if (existsSync(ready)) return root;
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const owner = Number(readFileSync(lock, "utf8") || "0");
      if (owner && !alive(owner)) rmSync(lock, { force: true });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (existsSync(ready)) return root;
    const staging = join(cache, `staging-${process.pid}`);
    await build(staging, root).catch((e: unknown) => {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    });
    writeFileSync(ready, JSON.stringify({ packages: ROOT_PACKAGES, mirrors: hostMirrors() }) + "\n");
    return root;
  } finally {
    rmSync(lock, { force: true });
  }
}

async function build(staging: string, root: string): Promise<void> {
  const m = hostMirrors();
  const cache = dirname(staging);
  rmSync(staging, { recursive: true, force: true });
  const log = openSync(join(cache, "build.log"), "w");
  const run = (argv: string[]): Promise<void> => new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", log, log] });
    child.on("error", reject);
    child.on("exit", (code) => code === 0 ? resolve() :
      reject(new Error(`${argv.join(" ")} failed (${code}); see ${join(cache, "build.log")}`)));
  });
  await run(["debootstrap", "--variant=minbase", "--include=ca-certificates,curl,openssl",
    SUITE, staging, m.main]);
  writeFileSync(join(staging, "etc/apt/sources.list"),
    `deb ${m.main} ${SUITE} main\ndeb ${m.main} ${SUITE}-updates main\n` +
    `deb ${m.security} ${SUITE}-security main\n`);
  // Packages must not start services while they are installed.
  writeFileSync(join(staging, "usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  writeFileSync(join(staging, "etc/resolv.conf"), readFileSync("/etc/resolv.conf"));
  const install = [
    `mount -t proc proc ${staging}/proc`,
    `mount --bind /dev ${staging}/dev`,
    `chroot ${staging} apt-get -o Acquire::Retries=3 update -qq`,
    `DEBIAN_FRONTEND=noninteractive chroot ${staging} apt-get -o Acquire::Retries=3 install -y -qq ` +
      `--no-install-recommends ${ROOT_PACKAGES.join(" ")}`,
    `chroot ${staging} apt-get clean`,
  ].join(" && ");
  await run(["unshare", "--mount", "--propagation", "private", "sh", "-c", install]);
  writeFileSync(join(staging, "etc/resolv.conf"), "");
  rmSync(join(staging, "var/lib/apt/lists"), { recursive: true, force: true });
  mkdirSync(join(staging, "var/lib/apt/lists/partial"), { recursive: true });
  rmSync(root, { recursive: true, force: true });
  renameSync(staging, root);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
