// The in-namespace half of the harness. Started by session.ts as
// `unshare --mount --net --pid --fork ... node agent.js --agent CONFIG`, it
// builds the scenario (overlay root, loopback addresses, fake metadata server,
// fake Cloud Storage, HTTPS origin, squid) and then serves requests from the
// test as JSON lines on stdin/stdout. Nothing here can reach beyond the
// network namespace it runs in.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { FakeMetadataServer, FAKE_ACCESS_TOKEN, defaultTree } from "./fake-metadata.js";
import { FakeStorageServer } from "./fake-storage.js";
import { ORIGIN_HOST } from "./pki.js";
import { DENIED_HOST, Squid } from "./squid.js";
import { chrootRun, readRootFile, snapshot, writeRootFile } from "./root-ops.js";

export const AGENT_FLAG = "--agent";
export const STORAGE_PORT = 9023;
export const ORIGIN_PORT = 8443;

export interface AgentConfig {
  lower: string;
  upper: string;
  work: string;
  merged: string;
  pki: string;
  script: string;
  fixtures: string[];
  addresses: string[];
}

const HOSTS = [
  "127.0.0.1 localhost",
  "::1 localhost ip6-localhost",
  "169.254.169.254 metadata.google.internal metadata",
  `127.0.0.1 ${ORIGIN_HOST} ${DENIED_HOST}`,
  "10.11.0.250 swp.corp.example",
].join("\n");

async function main(config: AgentConfig): Promise<void> {
  prepareRoot(config);
  const metadata = new FakeMetadataServer(defaultTree());
  await metadata.listen(80, "169.254.169.254");
  const storage = new FakeStorageServer(FAKE_ACCESS_TOKEN);
  await storage.listen(STORAGE_PORT, "127.0.0.1");
  const originHits: string[] = [];
  const origin = createServer(
    { key: readFileSync(join(config.pki, "origin.key")), cert: readFileSync(join(config.pki, "origin.pem")) },
    (req, res) => {
      originHits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "Content-Type": "text/plain" }).end(`hello from ${ORIGIN_HOST}\n`);
    },
  );
  await new Promise<void>((resolve) => origin.listen(ORIGIN_PORT, "127.0.0.1", resolve));
  const squid = new Squid(config.merged);

  const ops: Record<string, (a: any) => unknown> = {
    "metadata.set": (a) => metadata.setAttributes(a.scope, a.values),
    "metadata.faults": (a) => void (metadata.faults = a),
    "storage.put": (a) => storage.put(a.bucket, a.name, Buffer.from(a.base64, "base64")),
    "storage.forbid": (a) => void storage.forbidden.add(a.key),
    "squid.start": (a) => squid.start(a.ca, a.listen),
    "squid.stop": () => squid.stop(),
    "squid.log": () => squid.accessLog(),
    requests: () => ({ metadata: metadata.requests, storage: storage.requests, origin: originHits }),
    run: (a) => chrootRun(config.merged, a.argv, a.env ?? {}, a.timeoutMs ?? 180_000),
    "file.read": (a) => readRootFile(config.merged, a.path),
    "file.write": (a) => writeRootFile(config.merged, a.path, a.content, a.mode),
    snapshot: () => snapshot(config.upper),
  };

  process.stdout.write(JSON.stringify({ ready: true }) + "\n");
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const { id, op, args } = JSON.parse(line) as { id: number; op: string; args: unknown };
    let reply: Record<string, unknown>;
    try {
      if (op === "exit") break;
      const handler = ops[op];
      if (!handler) throw new Error(`unknown op ${op}`);
      reply = { id, result: (await handler(args)) ?? null };
    } catch (e) {
      reply = { id, error: e instanceof Error ? e.message : String(e) };
    }
    process.stdout.write(JSON.stringify(reply) + "\n");
  }
  await squid.stop();
  process.exit(0);
}

/** Loopback addresses, the overlay root, a minimal /dev, /proc, hosts and files. */
function prepareRoot(c: AgentConfig): void {
  const sh = (cmd: string, ...args: string[]): void => {
    execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  };
  sh("ip", "link", "set", "lo", "up");
  for (const address of ["169.254.169.254", ...c.addresses]) {
    sh("ip", "addr", "add", `${address}/32`, "dev", "lo");
  }
  const options = `lowerdir=${c.lower},upperdir=${c.upper},workdir=${c.work}`;
  sh("mount", "-t", "overlay", "overlay", "-o", options, c.merged);
  sh("mount", "-t", "proc", "proc", join(c.merged, "proc"));
  sh("mount", "-t", "tmpfs", "-o", "mode=755,size=16m", "tmpfs", join(c.merged, "dev"));
  for (const [name, major, minor] of [["null", 1, 3], ["zero", 1, 5], ["full", 1, 7],
    ["random", 1, 8], ["urandom", 1, 9], ["tty", 5, 0]] as const) {
    sh("mknod", "-m", "666", join(c.merged, "dev", name), "c", String(major), String(minor));
  }
  mkdirSync(join(c.merged, "dev", "shm"));
  sh("mount", "-t", "tmpfs", "-o", "mode=1777,size=64m", "tmpfs", join(c.merged, "dev", "shm"));
  sh("ln", "-s", "/proc/self/fd", join(c.merged, "dev", "fd"));
  sh("mount", "-t", "tmpfs", "-o", "mode=755,size=16m", "tmpfs", join(c.merged, "run"));
  writeFileSync(join(c.merged, "etc", "hosts"), HOSTS + "\n");
  cpSync(c.pki, join(c.merged, "opt", "dpgce-test", "pki"), { recursive: true });
  for (const fixture of c.fixtures) cpSync(fixture, c.merged, { recursive: true });
  mkdirSync(join(c.merged, "opt", "dpgce"), { recursive: true });
  cpSync(c.script, join(c.merged, "opt", "dpgce", "gce-proxy-setup.sh"));
}

if (process.argv[2] === AGENT_FLAG) {
  const config = JSON.parse(readFileSync(process.argv[3], "utf8")) as AgentConfig;
  main(config).catch((e: unknown) => {
    process.stderr.write(`agent: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
