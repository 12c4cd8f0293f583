#!/usr/bin/env node
// Thin launcher. `npm run build` (which `npm ci` runs through the prepare
// script) compiles the CLI into dist/src/ and bundles it into dist/bundle/
// (scripts/bundle.mjs). Commands that talk to an API start much faster from
// the bundle (one file instead of some six hundred modules); the offline
// ones, which load few modules, start faster from the compiled tree, where
// they do not parse the Google clients at all. The bundle is used only when
// it is at least as new as the compiled CLI, so a bare `tsc` never leaves
// an old bundle running in its place.
import { statSync } from 'node:fs';

const OFFLINE = new Set([undefined, 'validate', '--version', '-V', '--help', '-h', 'help']);

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const bundled = new URL('../dist/bundle/cli/main.js', import.meta.url);
const mtime = (url) => {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return -1;
  }
};
const useBundle = !OFFLINE.has(process.argv[2]) && mtime(bundled) >= mtime(compiled);
await import(useBundle ? bundled.href : compiled.href);
