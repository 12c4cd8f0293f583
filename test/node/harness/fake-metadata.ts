// A GCE metadata server for tests: the real server's header rules, 404 page,
// directory listings, ?recursive=true and a service-account token, plus
// injectable 503s and latency. The tree uses the server's kebab-case names.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A metadata tree: strings are leaf values, objects are directories. */
export interface MetadataTree {
  [name: string]: string | MetadataTree;
}

export interface MetadataFaults {
  /** Answer this many of the next requests with 503 (the maintenance blip). */
  unavailable?: number;
  /** Delay every response by this many milliseconds. */
  delayMs?: number;
}

export interface MetadataRequest {
  path: string;
  status: number;
  flavor: string | undefined;
  forwardedFor: boolean;
}

export const FAKE_ACCESS_TOKEN = "ya29.fake-metadata-token";

const NOT_FOUND_PAGE =
  "<!DOCTYPE html>\n<html lang=en>\n<title>Error 404 (Not Found)!!1</title>\n" +
  "<p><b>404.</b> <ins>That's an error.</ins>\n" +
  "<p>The requested URL was not found on this server.  <ins>That's all we know.</ins>\n";

export function defaultTree(attributes: Record<string, string> = {}): MetadataTree {
  return {
    instance: {
      attributes: { ...attributes },
      hostname: "c1-m.us-central1-a.c.demo-project.internal",
      id: "4242424242424242",
      zone: "projects/123456789012/zones/us-central1-a",
      "service-accounts": {
        default: {
          email: "cluster-sa@demo-project.iam.gserviceaccount.com",
          scopes: "https://www.googleapis.com/auth/cloud-platform",
        },
      },
    },
    project: { "project-id": "demo-project", "numeric-project-id": "123456789012", attributes: {} },
  };
}

export class FakeMetadataServer {
  readonly requests: MetadataRequest[] = [];
  faults: MetadataFaults = {};
  private server: Server | undefined;

  constructor(public tree: MetadataTree = defaultTree()) {}

  /** Set instance and project attributes; a value of null deletes the key. */
  setAttributes(scope: "instance" | "project", values: Record<string, string | null>): void {
    const dir = (this.tree[scope] as MetadataTree).attributes as MetadataTree;
    for (const [key, value] of Object.entries(values)) {
      if (value === null) delete dir[key];
      else dir[key] = value;
    }
  }

  listen(port: number, host: string): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
  }

  address(): { port: number } {
    return this.server!.address() as { port: number };
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://metadata.google.internal");
    const flavor = header(req, "metadata-flavor");
    const forwardedFor = header(req, "x-forwarded-for") !== undefined;
    const reply = (status: number, body: string, type = "application/text", extra = {}): void => {
      this.requests.push({ path: url.pathname + url.search, status, flavor, forwardedFor });
      res.writeHead(status, {
        "Metadata-Flavor": "Google",
        Server: "Metadata Server for VM",
        "Content-Type": type,
        ETag: createHash("md5").update(body).digest("hex").slice(0, 16),
        ...extra,
      });
      res.end(body);
    };

    if (this.faults.delayMs) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    if ((this.faults.unavailable ?? 0) > 0) {
      this.faults.unavailable! -= 1;
      return reply(503, "Service Unavailable", "text/plain");
    }
    if (forwardedFor) return reply(403, "Forbidden: X-Forwarded-For header is not allowed", "text/plain");
    if (url.pathname !== "/" && flavor === undefined) {
      return reply(403, 'Missing required header "Metadata-Flavor": "Google"', "text/plain");
    }
    if (url.pathname !== "/" && flavor !== "Google") return reply(404, NOT_FOUND_PAGE, "text/html");

    const prefix = "/computeMetadata/v1/";
    if (url.pathname === "/computeMetadata/v1") return reply(301, "", "text/html", { Location: prefix });
    if (!url.pathname.startsWith(prefix)) return reply(404, NOT_FOUND_PAGE, "text/html");
    const rest = url.pathname.slice(prefix.length);
    if (rest === "instance/service-accounts/default/token") {
      const token = { access_token: FAKE_ACCESS_TOKEN, expires_in: 3599, token_type: "Bearer" };
      return reply(200, JSON.stringify(token), "application/json");
    }
    const names = rest.split("/").filter((n) => n !== "");
    let node: string | MetadataTree = this.tree;
    for (const name of names) {
      if (typeof node === "string" || !(name in node)) return reply(404, NOT_FOUND_PAGE, "text/html");
      node = node[name];
    }
    if (typeof node === "string") return reply(200, node);
    if (!rest.endsWith("/") && rest !== "") {
      return reply(301, "", "text/html", { Location: url.pathname + "/" + url.search });
    }
    if (url.searchParams.get("recursive") === "true") {
      return reply(200, JSON.stringify(camelCase(node)), "application/json");
    }
    const listing = Object.entries(node).map(([k, v]) => (typeof v === "string" ? k : `${k}/`));
    return reply(200, listing.map((l) => l + "\n").join(""));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The recursive JSON form: directory names in camelCase, attribute keys as they are. */
function camelCase(node: MetadataTree, inAttributes = false): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const name = inAttributes ? key : key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    out[name] = typeof value === "string" ? value : camelCase(value, key === "attributes");
  }
  return out;
}
