// Builds src/emulator/api-tables.json: for every method of the emulated
// Google APIs, its HTTP method, path pattern, query parameters and request
// body message; for every message a request body can carry, its fields. The
// emulator's strict mode uses it to refuse what Google would refuse (an
// unknown field or query parameter). Source: the generated googleapis
// clients (their .js for paths, their .d.ts for parameters and messages),
// which come from Google's discovery documents.
//
// Run: node scripts/gen-api-tables.mjs (after changing the API list below).

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const apisDir = require.resolve('googleapis/package.json').replace(/package\.json$/, 'build/src/apis/');

// API, version, and (for the very large compute surface) the resource
// collections the emulator serves; other APIs are taken whole.
const APIS = [
  ['compute', 'v1', ['Networks', 'Subnetworks', 'Firewalls', 'Routes', 'Routers', 'Addresses',
    'Globaloperations', 'Regionoperations', 'Projects', 'Regions', 'Zones']],
  ['networkservices', 'v1'], ['networksecurity', 'v1'], ['certificatemanager', 'v1'],
  ['privateca', 'v1'], ['iam', 'v1'], ['cloudresourcemanager', 'v1'], ['cloudresourcemanager', 'v3'],
  ['serviceusage', 'v1'], ['serviceusage', 'v1beta1'], ['storage', 'v1'], ['dns', 'v1'],
  ['dataproc', 'v1'], ['secretmanager', 'v1'], ['orgpolicy', 'v2'], ['networkmanagement', 'v1'],
];

const ROOTS = ['Projects', 'Organizations', 'Folders', 'BillingAccounts', 'Locations'];
const methods = [];
const schemas = {};

for (const [api, version, only] of APIS) {
  const base = `${apisDir}${api}/${version}`;
  const decl = parseDeclarations(readFileSync(`${base}.d.ts`, 'utf8'));
  const wanted = new Set();
  for (const m of parseMethods(readFileSync(`${base}.js`, 'utf8'))) {
    if (only && !only.includes(m.chain[0]) && !only.includes(m.chain.at(-1))) continue;
    const params = decl.params.get(`Params$Resource$${[...m.chain, m.name].join('$')}`.toLowerCase()) ?? {};
    const body = params.requestBody ? `${api}.${params.requestBody}` : undefined;
    if (body) wanted.add(params.requestBody);
    const query = Object.keys(params).filter((p) => p !== 'requestBody' && p !== 'media' && !m.pathParams.includes(p));
    for (const path of [m.url, m.mediaUrl].filter(Boolean)) {
      methods.push({ id: `${api}.${version}.${[...m.chain, m.name].map(lower).join('.')}`,
        http: m.http, path: expand(path, m.chain), query: query.sort(), ...(body ? { body } : {}),
        ...(m.pathParams.length ? { params: m.pathParams } : {}) });
    }
  }
  // Every message reachable from a request body.
  const todo = [...wanted];
  while (todo.length) {
    const name = todo.pop();
    if (schemas[`${api}.${name}`]) continue;
    const fields = decl.schemas.get(name) ?? {};
    schemas[`${api}.${name}`] = qualify(fields, api, todo);
  }
}

methods.sort((a, b) => a.id.localeCompare(b.id) || a.path.localeCompare(b.path));
const out = new URL('../src/emulator/api-tables.json', import.meta.url);
writeFileSync(out, JSON.stringify({ source: 'googleapis generated clients', methods, schemas }) + '\n');
console.log(`${methods.length} methods, ${Object.keys(schemas).length} messages -> ${out.pathname}`);

/** Names schema references `<api>.X` (queuing them), recursing into inline messages. */
function qualify(fields, api, todo) {
  return Object.fromEntries(Object.entries(fields).map(([f, t]) => {
    if (t === 0) return [f, 0];
    if (typeof t === 'object') return [f, qualify(t, api, todo)];
    const ref = t.replace(/[{}]/g, '');
    todo.push(ref);
    return [f, t.startsWith('{') ? `{${api}.${ref}}` : `${api}.${ref}`];
  }));
}

/** Methods of the generated .js: class chain, name, HTTP method, URL templates, path parameters. */
function parseMethods(js) {
  const out = [];
  const classRe = /class Resource\$([A-Za-z0-9$]+) \{/g;
  const starts = [...js.matchAll(classRe)];
  starts.forEach((c, i) => {
    const chunk = js.slice(c.index, starts[i + 1]?.index ?? js.length);
    const chain = c[1].split('$');
    // One method per `name(paramsOrCallback` block; long URLs wrap after `rootUrl +`.
    const blocks = chunk.split(/\n {8}(?=[A-Za-z0-9_]+\(paramsOrCallback)/).slice(1);
    for (const b of blocks) {
      const name = /^([A-Za-z0-9_]+)\(/.exec(b)?.[1];
      const url = /url: \(rootUrl \+\s*'([^']+)'\)/.exec(b)?.[1];
      const http = /method: '([A-Z]+)'/.exec(b)?.[1];
      const pathParams = /pathParams: \[([^\]]*)\]/.exec(b)?.[1] ?? '';
      if (!name || !url || !http) continue;
      const media = /mediaUrl: \(rootUrl \+\s*'([^']+)'\)/.exec(b);
      out.push({ chain, name, url, http, mediaUrl: media?.[1],
        pathParams: [...pathParams.matchAll(/'([^']+)'/g)].map((x) => x[1]) });
    }
  });
  return out;
}

/**
 * `/v1/{+parent}/gateways` -> `/v1/projects/*\/locations/*\/gateways`: a
 * `{+x}` stands for the resource chain of its class (without its last
 * collection when the template goes on with that collection's name); `**`
 * is any number of segments.
 */
function expand(url, chain) {
  return url.replace(/\{\+([^}]+)\}(\/([A-Za-z]+))?/g, (_all, _name, rest, next) => {
    // Service Usage's `Services` take any parent (`projects/123`): `**`.
    if (!ROOTS.includes(chain[0])) return `**${rest ?? ''}`;
    // A `Global` class under `Locations` is the literal location `global`
    // (Network Management: `projects/*/locations/global/connectivityTests`).
    const full = chain.map((c, i) => (c === 'Global' && chain[i - 1] === 'Locations' ? '' : `${lower(c)}/*`))
      .map((seg, i, all) => (all[i + 1] === '' ? seg.replace(/\*$/, 'global') : seg)).filter(Boolean);
    const path = next && lower(next).toLowerCase() === lower(chain.at(-1)).toLowerCase() ? full.slice(0, -1) : full;
    return path.join('/') + (rest ?? '');
  }).replace(/\{[^}]+\}/g, '*');
}

/** Schema$X fields and Params$Resource$... members of a generated .d.ts. */
function parseDeclarations(text) {
  const sf = ts.createSourceFile('api.d.ts', text, ts.ScriptTarget.Latest, false);
  const schemas = new Map();
  const params = new Map();
  const visit = (node) => {
    if (ts.isInterfaceDeclaration(node)) {
      const name = node.name.text;
      const members = {};
      for (const m of node.members) {
        if (!ts.isPropertySignature(m) || !m.type) continue;
        const key = ts.isStringLiteral(m.name) ? m.name.text : m.name.getText(sf);
        members[key] = typeOf(m.type, sf);
      }
      if (name.startsWith('Schema$')) schemas.set(name.slice(7), members);
      if (name.startsWith('Params$')) {
        params.set(name.toLowerCase(), Object.fromEntries(Object.entries(members).map(([k, v]) =>
          [k, k === 'requestBody' && v !== 0 ? v : 0])));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { schemas, params };
}

/**
 * 0 for scalars and opaque values, `X` for Schema$X (arrays too), `{X}` for a
 * map of X, an object for an inline message.
 */
function typeOf(node, sf) {
  if (ts.isUnionTypeNode(node)) {
    const kept = node.types.filter((t) => t.kind !== ts.SyntaxKind.NullKeyword &&
      !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
    return kept.length === 1 ? typeOf(kept[0], sf) : 0;
  }
  if (ts.isArrayTypeNode(node)) return typeOf(node.elementType, sf);
  if (ts.isTypeReferenceNode(node)) {
    const n = node.typeName.getText(sf);
    return n.startsWith('Schema$') ? n.slice(7) : 0;
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find((m) => ts.isIndexSignatureDeclaration(m));
    if (index && node.members.length === 1 && index.type) {
      const inner = typeOf(index.type, sf);
      return inner === 0 ? 0 : `{${inner}}`;
    }
    // Storage writes nested messages inline: keep their fields.
    if (!index) {
      const inline = {};
      for (const m of node.members) {
        if (ts.isPropertySignature(m) && m.type) inline[m.name.getText(sf)] = typeOf(m.type, sf);
      }
      return inline;
    }
  }
  return 0;
}

function lower(s) {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
