// A minimal Cloud Storage JSON API for the boot-script tests: object reads
// (metadata and ?alt=media) with a bearer-token check, Google's error envelope,
// and an injectable 403. Only what the boot script uses; the project's full
// emulator lives in src/emulator.
import { createServer, type Server } from "node:http";

export interface StorageRequest {
  path: string;
  status: number;
  authorized: boolean;
  /** A proxy adds Via; the boot script must reach Cloud Storage directly. */
  via: string | undefined;
}

export class FakeStorageServer {
  readonly requests: StorageRequest[] = [];
  private readonly objects = new Map<string, Buffer>();
  /** Object keys ("bucket/name") that answer 403 as if the caller lacked access. */
  readonly forbidden = new Set<string>();
  private server: Server | undefined;

  constructor(private readonly acceptedToken: string) {}

  put(bucket: string, name: string, content: string | Buffer): void {
    this.objects.set(`${bucket}/${name}`, Buffer.from(content));
  }

  listen(port: number, host: string): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://storage.local");
      const auth = req.headers.authorization;
      const authorized = auth === `Bearer ${this.acceptedToken}`;
      const via = req.headers.via as string | undefined;
      const send = (status: number, body: string | Buffer, type: string): void => {
        this.requests.push({ path: url.pathname + url.search, status, authorized, via });
        res.writeHead(status, { "Content-Type": type });
        res.end(body);
      };
      const match = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
      if (!match) return send(404, errorBody(404, "Not Found", "notFound"), "application/json");
      if (auth === undefined) {
        const message = "Anonymous caller does not have storage.objects.get access.";
        return send(401, errorBody(401, message, "required"), "application/json");
      }
      if (!authorized) {
        return send(401, errorBody(401, "Invalid Credentials", "authError"), "application/json");
      }
      const key = `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`;
      if (this.forbidden.has(key)) {
        const message =
          "cluster-sa@demo-project.iam.gserviceaccount.com does not have storage.objects.get " +
          "access to the Google Cloud Storage object. Permission 'storage.objects.get' denied " +
          "on resource (or it may not exist).";
        return send(403, errorBody(403, message, "forbidden"), "application/json");
      }
      const content = this.objects.get(key);
      if (!content) return send(404, errorBody(404, `No such object: ${key}`, "notFound"), "application/json");
      if (url.searchParams.get("alt") === "media") return send(200, content, "application/octet-stream");
      const [bucket, ...name] = key.split("/");
      const meta = { kind: "storage#object", bucket, name: name.join("/"), size: String(content.length) };
      return send(200, JSON.stringify(meta), "application/json");
    });
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
}

function errorBody(code: number, message: string, reason: string): string {
  return JSON.stringify({ error: { code, message, errors: [{ message, domain: "global", reason }] } });
}
