// Bundles the compiled CLI (dist/src/cli/main.js, from tsc) into one file,
// dist/bundle/cli/main.js. Node then reads one file instead of about six
// hundred modules, resolving none: that was most of the start-up time of
// every command that talks to an API (doctor on the emulator 1.1 s -> 0.7 s).
// No code splitting: esbuild's split chunks hand a dynamic import() of a
// CommonJS package (googleapis, google-auth-library) only its default
// export. One file costs --version about 0.1 s of parsing.
//
// The output sits at the same depth under dist/ as dist/src/cli/, so the
// URLs the CLI builds from import.meta.url (package.json, the boot script)
// point at the same files from either.

import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/bundle/cli/main.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's default (UMD) build requires its own files at run time,
  // which a bundle cannot serve; its ESM build imports them statically.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
  // CommonJS dependencies call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __dpgceRequire } from 'node:module'; const require = __dpgceRequire(import.meta.url);" },
  logLevel: 'warning',
});
