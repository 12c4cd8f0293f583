import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodsFor } from '../../src/emulator/api-schema.js';
import { registerAll } from '../../src/emulator/apis/index.js';
import { Router } from '../../src/emulator/router.js';

// Every path the emulator serves is a method of a real Google API (the tables
// generated from the googleapis clients): a route no Google API has would be
// an emulator invention that clients could come to rely on.

describe('the emulator routes', () => {
  it('are each a method of the Google API they belong to', () => {
    const router = new Router();
    registerAll(router);
    const invented = router.list()
      .filter((r) => !methodsFor(r.api, r.method, r.path.replace(/\{[^}]+\}/g, 'x')).length)
      .map((r) => `${r.api} ${r.method} ${r.path}`);
    assert.ok(router.list().length > 150);
    assert.deepEqual(invented, []);
  });
});
