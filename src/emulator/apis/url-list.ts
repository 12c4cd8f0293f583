import type { Router } from '../router.js';
import type { Resource } from '../store.js';
import { NAME_PATTERN, invalidArgument } from './resource-kit.js';
import { V1, registerCollection } from './networksecurity-common.js';

// URL lists (recorded: networksecurity-urllist): `values[]` required, each an
// entry of the URL list syntax (https://cloud.google.com/secure-web-proxy/docs/
// url-list-syntax-reference): a domain (must contain a dot), optionally with
// a leading `*` or `*.` wildcard, optionally followed by `/path`; `*` only as
// that prefix. Rules name lists inside CEL strings, so nothing blocks a delete.

const LABEL = '[a-z0-9]([a-z0-9-]*[a-z0-9])?';
const DOMAIN = new RegExp(`^(\\*\\.?)?(${LABEL}\\.)+${LABEL}$`, 'i');

export function urlListProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'string' || !entry.trim() || /\s/.test(entry)) return 'entries must be non-empty strings without spaces';
  const slash = entry.indexOf('/');
  const domain = slash === -1 ? entry : entry.slice(0, slash);
  if (!domain.includes('.')) return `'${entry}' is neither a domain nor a URL (a domain contains a dot)`;
  if (!DOMAIN.test(domain)) return `'${entry}' has an invalid domain part '${domain}' ('*' is allowed only as a prefix)`;
  return undefined;
}

function checkValues(values: unknown): string[] {
  if (!Array.isArray(values) || values.length === 0) throw invalidArgument("Field 'values' is required.");
  values.forEach((v, i) => {
    const problem = urlListProblem(v);
    if (problem) throw invalidArgument(`Invalid url_list.values[${i}]: ${problem}.`);
  });
  return values as string[];
}

export function registerUrlLists(r: Router): void {
  registerCollection(r, {
    parentPath: V1, collection: 'urlLists', idParam: 'urlListId', idPattern: NAME_PATTERN,
    idRule: 'it must match ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$', kind: 'UrlList',
    build: (_req, _ctx, _name, b) => {
      const out: Resource = { values: checkValues(b.values) };
      if (b.description) out.description = b.description;
      return out;
    },
    updatable: ['values', 'description'],
    check: (_req, _ctx, next) => { checkValues(next.values); return next; },
  });
}
