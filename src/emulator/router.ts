import type { Operations } from './operations.js';
import type { Resource, Store } from './store.js';
import type { ListingPolicy } from './strict.js';

// Path routing for every emulated API on one port. Patterns are written the
// way Google documents them, `/compute/v1/projects/{project}/global/networks/{network}`,
// including custom verbs (`.../{ca}:enable`). Parameters never span a `/` or
// a `:`, and arrive URL-decoded (Cloud Storage object names carry `%2F`).

export interface EmuRequest {
  method: string;
  /** Raw (still encoded) path, without the query string. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: any;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Set by shared handlers (operation polls) to log the owning API's name. */
  logApi?: string;
  /** How lists page (strict mode: small pages, shuffled). */
  listing?: ListingPolicy;
}

/** Everything a handler may touch. */
export interface EmuContext {
  store: Store;
  ops: Operations;
  /** A stable project number for a project id (the emulator has no registry). */
  projectNumber(project: string): string;
}

/** A non-default reply: another status, or a raw body (media downloads). */
export class Reply {
  constructor(
    readonly status: number,
    readonly json?: unknown,
    readonly body?: Buffer,
    readonly contentType = 'application/json; charset=UTF-8',
  ) {}
}

export type Handler = (req: EmuRequest, ctx: EmuContext) =>
  Resource | Reply | Promise<Resource | Reply>;

export interface RouteSpec {
  /** Service name for the request log: compute, networkservices, storage, ... */
  api: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Whether the request can change state; defaults to method !== GET. */
  mutating?: boolean;
  /**
   * Query parameters the handler implements but reads only on some paths
   * (after a requestId replay, inside an operation that fails): strict mode
   * does not call them ignored.
   */
  query?: string[];
}

interface Route extends RouteSpec {
  regex: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(spec: RouteSpec, handler: Handler): void {
    const names: string[] = [];
    const source = spec.path
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const m = /^\{([^}]+)\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return '([^/:]+)';
      })
      .join('');
    this.routes.push({ ...spec, regex: new RegExp(`^${source}$`), names, handler });
  }

  /** Every registered route, for coverage checks. */
  list(): RouteSpec[] {
    return this.routes.map(({ api, method, path, mutating, query }) => ({ api, method, path, mutating, query }));
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { route, params };
    }
    return undefined;
  }
}
