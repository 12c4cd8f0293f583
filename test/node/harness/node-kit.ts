// A proxied node as most scenarios want it: squid bumping with a test CA on a
// field-case proxy address, the CA object in Cloud Storage, and the metadata
// dpgce would set. Tests then change what their case is about.
import { fingerprint, pem } from "./pki.js";
import { openScenario, type Scenario, type ScenarioHost, type ScenarioOptions } from "./session.js";
import type { RunResult } from "./root-ops.js";
import { ORIGIN_PORT, STORAGE_PORT } from "./agent.js";

export const PROXY = "10.11.0.250:3128";
export const BUCKET = "demo-bucket";
export const CA_OBJECT = "swp/ca.pem";
export const PEM_URI = `gs://${BUCKET}/${CA_OBJECT}`;
export const TEST_URL = `https://origin.test:${ORIGIN_PORT}/self-test`;
export const STORAGE = `http://127.0.0.1:${STORAGE_PORT}`;
export const SCRIPT_IN_ROOT = "/opt/dpgce/gce-proxy-setup.sh";
/** The managed files on a Debian node (docs/boot-script.md). */
export const DEBIAN_MANAGED = [
  "/etc/apt/apt.conf.d/99dpgce-proxy",
  "/etc/environment",
  "/etc/profile.d/dpgce-proxy.sh",
  "/etc/systemd/system.conf.d/dpgce-proxy.conf",
  "/etc/systemd/system/docker.service.d/dpgce-proxy.conf",
  "/etc/systemd/system/containerd.service.d/dpgce-proxy.conf",
  "/etc/pip.conf",
  "/etc/gnupg/dirmngr.conf",
];

export interface NodeOptions extends ScenarioOptions {
  proxy?: string;
  ca?: "proxy-ca-1" | "proxy-ca-2";
  /** Instance attributes on top of the defaults (null removes one). */
  attributes?: Record<string, string | null>;
  /** Leave squid stopped (the proxy is down). */
  proxyDown?: boolean;
  /** Where squid listens (ip:port), when the proxy is given by name. Default: the proxy. */
  listen?: string;
}

export class ProxiedNode {
  constructor(readonly s: Scenario) {}

  /** Run the boot script as the guest agent would (root, minimal environment). */
  runScript(env: Record<string, string> = {}): Promise<RunResult> {
    return this.s.run(["/bin/bash", SCRIPT_IN_ROOT], { STORAGE_EMULATOR_HOST: STORAGE, ...env });
  }

  setAttributes(values: Record<string, string | null>, scope: "instance" | "project" = "instance"):
    Promise<void> {
    return this.s.call("metadata.set", { scope, values });
  }

  putCa(name: string, object = CA_OBJECT): Promise<void> {
    return this.s.call("storage.put", { bucket: BUCKET, name: object, base64: Buffer.from(pem(name)).toString("base64") });
  }

  /** Metadata server faults: `unavailable` 503s to come, `delayMs` per response. */
  metadataFaults(faults: { unavailable?: number; delayMs?: number }): Promise<void> {
    return this.s.call("metadata.faults", faults);
  }

  /** Make Cloud Storage answer 403 for an object, as for a caller without access. */
  forbid(object: string): Promise<void> {
    return this.s.call("storage.forbid", { key: `${BUCKET}/${object}` });
  }

  requests(): Promise<{ metadata: { path: string; status: number; flavor?: string }[];
    storage: { path: string; status: number; authorized: boolean; via?: string }[]; origin: string[] }> {
    return this.s.call("requests");
  }

  putObject(object: string, content: string): Promise<void> {
    return this.s.call("storage.put", { bucket: BUCKET, name: object, base64: Buffer.from(content).toString("base64") });
  }

  startProxy(ca: string, listen: string[]): Promise<void> {
    return this.s.call("squid.start", { ca, listen });
  }

  stopProxy(): Promise<void> {
    return this.s.call("squid.stop");
  }

  squidLog(): Promise<string> {
    return this.s.call<string>("squid.log");
  }

  snapshot(): Promise<Record<string, string>> {
    return this.s.call("snapshot");
  }

  read(path: string): Promise<string | null> {
    return this.s.readFile(path);
  }

  /** Entries of the Debian Java keystore as [alias, SHA-256 fingerprint]. */
  async javaEntries(): Promise<[string, string][]> {
    const r = await this.s.run(["keytool", "-list", "-keystore", "/etc/ssl/certs/java/cacerts",
      "-storepass", "changeit"]);
    const out: [string, string][] = [];
    let alias = "";
    for (const line of r.stdout.split("\n")) {
      if (/Entry,/.test(line)) alias = line.slice(0, line.indexOf(", "));
      const fp = /fingerprint \(SHA-256\): (\S+)/.exec(line);
      if (fp) out.push([alias, fp[1]]);
    }
    return out;
  }

  /** How many keystore entries hold the named test CA. */
  async javaCount(ca: string): Promise<number> {
    return (await this.javaEntries()).filter(([, fp]) => fp === fingerprint(ca)).length;
  }

  /** Whether the OS bundle holds the named test CA. */
  async bundleHas(ca: string, bundle = "/etc/ssl/certs/ca-certificates.crt"): Promise<boolean> {
    const body = pem(ca).split("\n").filter((l) => l && !l.startsWith("-----")).join("");
    return ((await this.read(bundle)) ?? "").replace(/\n/g, "").includes(body);
  }

  /** A shell command in the root, with /etc/environment loaded as a login would. */
  shell(command: string): Promise<RunResult> {
    return this.s.run(["/bin/bash", "-c", `set -a; . /etc/environment; set +a; ${command}`]);
  }
}

export async function proxiedNode(t: ScenarioHost, o: NodeOptions = {}): Promise<ProxiedNode | undefined> {
  const proxy = o.proxy ?? PROXY;
  const address = proxy.replace(/^http:\/\//, "").replace(/:\d+$/, "");
  const listenAddress = (o.listen ?? address).replace(/:\d+$/, "");
  const addresses = [...new Set([...(o.addresses ?? []), ...(/^[\d.]+$/.test(listenAddress) ? [listenAddress] : [])])];
  const s = await openScenario(t, { fixtures: o.fixtures, addresses });
  if (!s) return undefined;
  const node = new ProxiedNode(s);
  const ca = o.ca ?? "proxy-ca-1";
  await node.putCa(ca);
  await node.setAttributes({
    "http-proxy": proxy, "http-proxy-pem-uri": PEM_URI, "proxy-test-url": TEST_URL,
    ...o.attributes,
  });
  if (!o.proxyDown) await node.startProxy(ca, [o.listen ?? proxy.replace(/^http:\/\//, "")]);
  return node;
}

export function expectOk(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`script exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}
