import { ApiError } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import { body } from './common.js';
import { concurrentChange, iamEtag } from './iam.js';
import { readPolicy, writePolicy, type PolicyRules } from './iam-policy.js';
import { heldPermissions } from './caller.js';

// Cloud Resource Manager: reading a project (v1 and v3) and its IAM policy.
// The emulator has no project registry: every project id exists, with the
// stable number ctx.projectNumber gives it. A project starts with the owner
// binding of the emulator's user and the editor bindings Google adds for the
// Compute default and Google APIs service accounts. A stale etag is 409
// ABORTED with the text Google sends.

const CREATED = '2024-01-01T00:00:00.000Z';
const OWNER = 'user:emulator@dpgce.local';

export function registerResourceManager(r: Router): void {
  r.add(
    { api: 'cloudresourcemanager', method: 'GET', path: '/v1/projects/{project}' },
    (req, ctx) => {
      const id = projectId(req, ctx);
      return {
        projectNumber: ctx.projectNumber(id),
        projectId: id,
        lifecycleState: 'ACTIVE',
        name: id,
        createTime: CREATED,
      };
    },
  );
  r.add(
    { api: 'cloudresourcemanager', method: 'GET', path: '/v3/projects/{project}' },
    (req, ctx) => {
      const id = projectId(req, ctx);
      return {
        name: `projects/${ctx.projectNumber(id)}`,
        projectId: id,
        state: 'ACTIVE',
        displayName: id,
        createTime: CREATED,
        updateTime: CREATED,
        etag: `W/"${iamEtag(id, 1)}"`,
      };
    },
  );

  for (const version of ['v1', 'v3']) {
    const base = `/${version}/projects/{project}`;
    r.add(
      {
        api: 'cloudresourcemanager',
        method: 'POST',
        path: `${base}:getIamPolicy`,
        mutating: false,
      },
      (req, ctx) => readPolicy(ctx, projectPolicy(projectId(req, ctx), ctx)),
    );
    r.add(
      { api: 'cloudresourcemanager', method: 'POST', path: `${base}:setIamPolicy` },
      (req, ctx) => writePolicy(ctx, projectPolicy(projectId(req, ctx), ctx), body(req).policy),
    );
    r.add(
      {
        api: 'cloudresourcemanager',
        method: 'POST',
        path: `${base}:testIamPermissions`,
        mutating: false,
      },
      (req, ctx) => {
        projectId(req, ctx);
        const asked = body(req).permissions;
        const permissions = Array.isArray(asked) ? heldPermissions(ctx, asked) : [];
        return permissions.length ? { permissions } : {};
      },
    );
  }
}

/**
 * The project id in the path. A project number is accepted when some stored
 * resource names a project id with that number (the emulator cannot invent
 * an id for a number it has never seen).
 */
function projectId(req: EmuRequest, ctx: EmuContext): string {
  const given = req.params.project;
  if (!/^\d+$/.test(given)) {
    if (!/^[a-z][-a-z0-9]{0,28}[a-z0-9]$|^[a-z]$/.test(given)) {
      throw new ApiError(400, `Invalid project id: '${given}'.`, 'INVALID_ARGUMENT');
    }
    return given;
  }
  const ids = new Set(ctx.store.entries('projects/').map(([k]) => k.split('/')[1]));
  for (const id of ids) if (ctx.projectNumber(id) === given) return id;
  throw new ApiError(403, `The caller does not have permission`, 'PERMISSION_DENIED');
}

function projectPolicy(project: string, ctx: EmuContext): PolicyRules {
  const number = ctx.projectNumber(project);
  return {
    key: `projects/${project}/iamPolicy`,
    initial: () => [
      {
        role: 'roles/editor',
        members: [
          `serviceAccount:${number}-compute@developer.gserviceaccount.com`,
          `serviceAccount:${number}@cloudservices.gserviceaccount.com`,
        ],
      },
      { role: 'roles/owner', members: [OWNER] },
    ],
    etag: (revision) => iamEtag(`projects/${project}`, revision, false),
    conflict: concurrentChange,
    invalid: (message) => new ApiError(400, message, 'INVALID_ARGUMENT'),
  };
}
