import { ApiError } from '../errors.js';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';

// What the Secret Manager modules share: resource names with the project
// number (the recorded responses use it even when the request had the ID)
// and the service's 404 and 400 forms.

export const invalidArgument = (message: string): ApiError =>
  new ApiError(400, message, 'INVALID_ARGUMENT');

/** `projects/<number>/secrets/<id>`: the store key and the name clients see. */
export function secretName(ctx: EmuContext, project: string, secret: string): string {
  const number = /^\d+$/.test(project) ? project : ctx.projectNumber(project);
  return `projects/${number}/secrets/${secret}`;
}

/** The stored secret, or the recorded 404 (`Secret [projects/N/secrets/S] not found.`). */
export function secretOr404(ctx: EmuContext, name: string): Resource {
  const found = ctx.store.get(name);
  if (!found) throw new ApiError(404, `Secret [${name}] not found.`, 'NOT_FOUND');
  return found;
}
