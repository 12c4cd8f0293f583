import { diagnosticsJson, formatDiagnostics } from '../config/diagnostics.js';
import { loadEnvFile } from '../config/load.js';
import { useColor } from './output.js';

export interface ValidateOptions {
  env: string;
  json?: boolean;
}

/** `dpgce validate`: offline checks only; exit 1 on any error. */
export async function validate(opts: ValidateOptions): Promise<void> {
  const { diagnostics } = await loadEnvFile(opts.env);
  const view = diagnosticsJson(diagnostics);
  if (opts.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  else if (diagnostics.length === 0) process.stdout.write(`${opts.env} is valid.\n`);
  else process.stdout.write(formatDiagnostics(diagnostics, useColor(process.stdout)));
  if (!view.valid) process.exitCode = 1;
}
