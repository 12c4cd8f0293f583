#!/usr/bin/env node
// Thin launcher. `npm run build` (which `npm ci` runs through the prepare
// script) compiles the CLI into dist/src/ and bundles it into dist/bundle/
// (scripts/bundle.mjs), which starts much faster. The bundle is used only
// when it is at least as new as the compiled CLI, so a bare `tsc` never
// leaves an old bundle running in its place.
import { statSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const bundled = new URL('../dist/bundle/cli/main.js', import.meta.url);
const mtime = (url) => {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return -1;
  }
};
await import(mtime(bundled) >= mtime(compiled) ? bundled.href : compiled.href);
