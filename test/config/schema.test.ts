import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { KEYS } from '../../src/config/keys.js';
import { envJsonSchema, renderEnvJsonSchema } from '../../src/config/schema.js';
import { REPO_ROOT } from './env-fixture.js';

interface JsonSchema {
  properties: Record<string, { description?: string }>;
  required: string[];
  additionalProperties: unknown;
}

describe('env.json JSON Schema', () => {
  // After changing a key, regenerate with `npm run schema`.
  it('matches the committed schema/env.schema.json', () => {
    const committed = readFileSync(new URL('schema/env.schema.json', REPO_ROOT), 'utf8');
    assert.equal(committed, renderEnvJsonSchema());
  });

  it('describes every key', () => {
    const schema = envJsonSchema() as unknown as JsonSchema;
    assert.deepEqual(Object.keys(schema.properties), KEYS.map((spec) => spec.key));
    for (const [key, property] of Object.entries(schema.properties)) {
      assert.ok((property.description ?? '').length > 10, `${key} has a description`);
    }
  });

  it('requires exactly the seed keys and allows unknown ones (they only warn)', () => {
    const schema = envJsonSchema() as unknown as JsonSchema;
    assert.deepEqual(schema.required, [
      'PROJECT_ID', 'REGION', 'ZONE', 'SUBNET', 'BUCKET', 'TEMP_BUCKET', 'RANGE', 'PRIVATE_RANGE',
      'SWP_RANGE', 'SWP_IP', 'SWP_PORT', 'SWP_HOSTNAME', 'PROXY_CERT_GCS_PATH',
    ]);
    assert.notEqual(schema.additionalProperties, false);
  });
});
