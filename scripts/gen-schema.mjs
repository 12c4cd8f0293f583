// Regenerates schema/env.schema.json from the zod schema (npm run schema).
// test/config/schema.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { renderEnvJsonSchema } from '../dist/src/config/schema.js';

const target = new URL('../schema/env.schema.json', import.meta.url);
writeFileSync(target, renderEnvJsonSchema());
console.error(`wrote ${target.pathname}`);
