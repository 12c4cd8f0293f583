import TABLES from './api-tables.json' with { type: 'json' };
import { ApiError } from './errors.js';

// What Google's front end knows about each method: its query parameters and
// the message its body must parse as. The tables are generated from the
// googleapis clients (scripts/gen-api-tables.mjs), so they list what the
// real API accepts, not what the emulator happens to read. Strict mode uses
// them to answer an unknown field or parameter the way Google does.

/** A field: 0 scalar or opaque, `api.X` a message (arrays alike), `{api.X}` a map of X, or an inline message. */
type FieldType = 0 | string | { [field: string]: FieldType };

export interface ApiMethod {
  /** `compute.v1.networks.insert`. */
  id: string;
  http: string;
  /** `*` one segment, `**` any number of segments. */
  path: string;
  query: string[];
  body?: string;
  /** Path parameters: a whole-request body (`body: "*"`) may repeat them. */
  params?: string[];
}

interface Compiled extends ApiMethod {
  regex: RegExp;
  /** Literal characters: the more, the more specific the pattern. */
  weight: number;
}

const schemas = TABLES.schemas as Record<string, Record<string, FieldType>>;

const compiled: Compiled[] = (TABLES.methods as ApiMethod[]).map((m) => ({
  ...m,
  // Collection names in the tables come from class names, so case is lost.
  regex: new RegExp(
    `^${m.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*\*|\*/g, (w) => (w === '**' ? '.+' : '[^/]+'))}$`,
    'i',
  ),
  weight: m.path.replace(/\*/g, '').length,
}));

/** Query parameters every Google API accepts (system parameters). */
export const SYSTEM_PARAMS = new Set([
  '$.xgafv', 'access_token', 'alt', 'callback', 'fields', 'key', 'oauth_token', 'prettyPrint',
  'quotaUser', 'uploadType', 'upload_protocol', 'userIp', '$alt', 'userProject',
]);

/**
 * The API methods a request can be: same HTTP method, matching path, of the
 * route's API when it names one. Most specific first.
 */
export function methodsFor(api: string, http: string, path: string): ApiMethod[] {
  // Media links (`/download/storage/v1/...`) are objects.get under another prefix.
  if (path.startsWith('/download/')) path = path.slice('/download'.length);
  const found = compiled.filter((m) => m.http === http && m.regex.test(path));
  const ofApi = found.filter((m) => m.id.startsWith(`${api}.`));
  const list = ofApi.length ? ofApi : found;
  const best = Math.max(0, ...list.map((m) => m.weight));
  return list.filter((m) => m.weight === best);
}

/** 400 for a query parameter the method does not have, in Google's words. */
export function checkQueryKnown(methods: ApiMethod[], query: URLSearchParams): void {
  const known = new Set(methods.flatMap((m) => m.query));
  for (const name of new Set(query.keys())) {
    if (SYSTEM_PARAMS.has(name) || known.has(name)) continue;
    throw new ApiError(400, `Invalid JSON payload received. Unknown name "${name}": Cannot bind query ` +
      `parameter. Field '${name}' could not be found in request message.`, 'INVALID_ARGUMENT');
  }
}

/** 400 with a BadRequest detail for each body field the method's message does not have. */
export function checkBodyKnown(methods: ApiMethod[], json: unknown): void {
  const method = methods.find((m) => m.body);
  const bodyType = method?.body;
  if (!bodyType || !json || typeof json !== 'object') return;
  const unknown: { name: string; at: string }[] = [];
  // A body that is the whole request message also carries its path fields
  // (`{"resource": ..., "policy": ...}`, as recorded: privateca-capool-iam).
  const root = bodyField(bodyType);
  const pathFields = root ? [] : (method?.params ?? []);
  const rest = Object.fromEntries(Object.entries(json).filter(([k]) => !pathFields.includes(k)));
  walk(rest, bodyType, root, unknown);
  if (!unknown.length) return;
  const text = (u: { name: string; at: string }): string =>
    `Invalid JSON payload received. Unknown name "${u.name}"${u.at ? ` at '${u.at}'` : ''}: Cannot find field.`;
  throw new ApiError(400, unknown.map(text).join('\n'), 'INVALID_ARGUMENT').withDetails([{
    '@type': 'type.googleapis.com/google.rpc.BadRequest',
    fieldViolations: unknown.map((u) => ({ field: u.at, description: text(u) })),
  }]);
}

/**
 * The request field a body binds to, as errors name it: none for a whole
 * `*Request` message, `resource` in compute, else the message in snake_case.
 */
function bodyField(type: string): string {
  const [api, message] = type.split('.');
  if (message.endsWith('Request')) return '';
  if (api === 'compute') return 'resource';
  return message.replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c.toLowerCase());
}

function walk(value: unknown, type: FieldType, at: string, out: { name: string; at: string }[]): void {
  if (type === 0 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, type, `${at}[${i}]`, out));
    return;
  }
  if (typeof type === 'string' && type.startsWith('{')) {
    const inner = type.slice(1, -1);
    for (const [k, v] of Object.entries(value)) walk(v, inner, `${at}[${JSON.stringify(k)}]`, out);
    return;
  }
  const fields = typeof type === 'string' ? schemas[type] : type;
  // A message the tables do not describe (google.protobuf.Any, Struct...) is opaque.
  if (!fields || (typeof type === 'string' && /\.(Any|Struct|Value)$/.test(type))) return;
  for (const [k, v] of Object.entries(value)) {
    // proto3 JSON also accepts the field's proto (snake_case) name.
    const field = k in fields ? k : k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (k === '@type') continue;
    if (!(field in fields)) out.push({ name: k, at });
    else walk(v, fields[field], at ? `${at}.${k}` : k, out);
  }
}

/**
 * 400 for an `updateMask` path that names no field of the PATCH body's
 * message (AIP-161: "field masks should return an INVALID_ARGUMENT error if
 * an entry points to a value that can not exist"). `*` is AIP-134's full
 * replacement; a map's keys (`labels.env`) are any string. Paths may use
 * the proto (snake_case) or JSON name. A method the tables do not describe
 * is not checked.
 */
export function checkMaskPaths(api: string, path: string, paths: string[]): void {
  const bodyType = methodsFor(api, 'PATCH', path).find((m) => m.body)?.body;
  if (!bodyType || !schemas[bodyType]) return;
  for (const p of paths) {
    if (p === '*') continue;
    let type: FieldType = bodyType;
    for (const segment of p.split('.')) {
      if (typeof type === 'string' && type.startsWith('{')) {
        type = type.slice(1, -1);
        continue;
      }
      const fields: Record<string, FieldType> | undefined =
        typeof type === 'string' ? schemas[type] : type || undefined;
      // A scalar has no fields below it; an opaque message (Any, Struct) may.
      if (!fields) {
        if (type === 0) throw unknownPath(p, bodyType);
        break;
      }
      const camel = segment.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      if (!(camel in fields)) throw unknownPath(p, bodyType);
      type = fields[camel];
    }
  }
}

const unknownPath = (p: string, bodyType: string): ApiError => new ApiError(400,
  `Invalid field mask path '${p}': no such field in ${bodyType.split('.')[1]}.`, 'INVALID_ARGUMENT');
